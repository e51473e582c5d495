// Shared by the CVision .cpp files (not part of the C ABI): what a gw_frame is, and the
// helpers every entry point uses to turn OpenCV failures into one line for the caller.
#pragma once
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

struct gw_frame { cv::Mat mat; };

namespace gw {

/// Writes `msg` into the caller's buffer as one line (newlines become spaces).
void setError(char *err, int errlen, const std::string &msg);
/// The short reason of an OpenCV exception, without file/line noise.
std::string cvReason(const cv::Exception &e);
/// Routes FFmpeg's and OpenCV's own logging away from stderr (once per process).
void quietLibraries();
bool fileExists(const char *path);
/// Grey copy of a BGR picture, resized to `width` first when width > 0.
cv::Mat toGrey(const cv::Mat &bgr, int width, int interpolation = cv::INTER_AREA);
/// A frame that shares `mat`'s pixels, for calling the C ABI from C++ without a copy.
inline gw_frame frameView(const cv::Mat &mat) { return gw_frame{mat}; }

} // namespace gw
