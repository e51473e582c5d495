// Shared by the CVision detector files (not part of the C ABI): the base every gw_*_new
// detector derives from, so gw_detector_detect / gw_detector_free (detect.cpp) serve them
// all, including YOLOX-Nano in yolox.cpp.
#pragma once
#include "CVision.h"
#include "cvision_internal.hpp"
#include <opencv2/core.hpp>
#include <vector>

struct gw_detector {
    virtual ~gw_detector() = default;
    /// Appends the people found in a BGR frame, boxes normalised 0..1 (x, y = top-left).
    virtual void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) = 0;
};
