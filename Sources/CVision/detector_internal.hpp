// Shared by the CVision detector files (not part of the C ABI): the base every gw_*_new
// detector derives from, so gw_detector_detect / gw_detector_free serve them all, and the
// helpers (defined in core.cpp) that turn OpenCV failures into one line for the caller.
#pragma once
#include "CVision.h"
#include <opencv2/core.hpp>
#include <string>
#include <vector>

struct gw_detector {
    virtual ~gw_detector() = default;
    /// Appends the people found in a BGR frame, boxes normalised 0..1 (x, y = top-left).
    virtual void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) = 0;
};

namespace gw {
/// Writes `msg` into the caller's buffer as one line (newlines become spaces).
void setError(char *err, int errlen, const std::string &msg);
/// The short reason of an OpenCV exception, without file/line noise.
std::string cvReason(const cv::Exception &e);
bool fileExists(const char *path);
} // namespace gw
