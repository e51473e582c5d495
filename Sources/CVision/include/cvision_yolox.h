#ifndef GATEWATCH_CVISION_YOLOX_H
#define GATEWATCH_CVISION_YOLOX_H
// YOLOX-Nano person detector: a second model that finds smaller (farther) people than
// SSDLite, at a higher cost a run. Used through gw_detector_detect / gw_detector_free.
#include "cvision_detect.h"
#ifdef __cplusplus
extern "C" {
#endif

/// Megvii's YOLOX-Nano (COCO, ONNX, opset 11; models/README.md). Input: the frame letterboxed
/// to 416 on its longer side (pad 114, top-left; the shorter side padded only to a multiple
/// of 32, e.g. 416x320 for 4:3), BGR 0..255; person = COCO class 0; score = objectness x
/// class score; `nms_threshold` is the IoU above which overlapping boxes merge (0 = 0.45).
/// Loading runs one blank 416x416 forward pass to check the output is YOLOX's 1x3549x85, so
/// a truncated or different model fails here with one line naming the file.
gw_detector *gw_yolox_new(const char *onnx_path, float nms_threshold, char *err, int errlen);

#ifdef __cplusplus
}
#endif
#endif
