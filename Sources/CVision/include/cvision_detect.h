#ifndef GATEWATCH_CVISION_DETECT_H
#define GATEWATCH_CVISION_DETECT_H
// Person detectors: the SSDLite model, HOG and motion blobs. Production feeds and the
// synthetic toolkit (sprite bank, recall check) use the same ones.
#include <stddef.h>
#include <stdint.h>
#include "cvision_core.h"
#ifdef __cplusplus
extern "C" {
#endif

// ---------------------------------------------------------------- detectors
/// A person box, normalised to 0..1 (x, y = top-left).
typedef struct { float x, y, w, h, score; } gw_box;
typedef struct gw_detector gw_detector;
/// SSD person model (TensorFlow frozen graph + text graph). `class_id` is the model's
/// person class (1 for the SSDLite person model). Input: BGR 300x300, swapRB, scale 1, no mean.
gw_detector *gw_ssd_new(const char *pb_path, const char *pbtxt_path, int class_id,
                        char *err, int errlen);
/// OpenCV's HOG + linear SVM default people detector. `scale_width` > 0 resizes the frame
/// to that width first (speed); `hit_threshold` is the SVM margin.
gw_detector *gw_hog_new(int scale_width, double hit_threshold);
/// Background subtraction (MOG2) + morphology + contours. Sizes are shares of the frame:
/// blobs outside [min_area, max_area] are dropped; a blob wider than 1.6 x person_width
/// (when person_width > 0) is split into side-by-side person boxes.
gw_detector *gw_motion_blob_new(int work_width, double min_area, double max_area,
                                double person_width, int history, double var_threshold);
/// Finds people; writes up to `max_boxes` boxes with score >= min_score. Returns the
/// number written, or -1 with a message.
int gw_detector_detect(gw_detector *d, const gw_frame *frame, float min_score,
                       gw_box *out, int max_boxes, char *err, int errlen);
void gw_detector_free(gw_detector *d);

#ifdef __cplusplus
}
#endif
#endif
