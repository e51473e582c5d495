#include "CVision.h"
#include "frame_internal.hpp"
#include <opencv2/core.hpp>

extern "C" const char *gw_opencv_version(void) { return CV_VERSION; }

extern "C" gw_frame *gw_frame_new(int width, int height) {
    auto *f = new gw_frame();
    f->mat = cv::Mat(height, width, CV_8UC3, cv::Scalar(0, 0, 0));
    return f;
}
extern "C" gw_frame *gw_frame_clone(const gw_frame *frame) {
    auto *f = new gw_frame();
    f->mat = frame->mat.clone();
    return f;
}
extern "C" void gw_frame_free(gw_frame *frame) { delete frame; }
extern "C" int gw_frame_width(const gw_frame *frame) { return frame->mat.cols; }
extern "C" int gw_frame_height(const gw_frame *frame) { return frame->mat.rows; }
extern "C" uint8_t *gw_frame_data(gw_frame *frame) { return frame->mat.data; }
extern "C" int gw_frame_step(const gw_frame *frame) { return (int)frame->mat.step; }
