// Shared by the CVision .cpp files: what a gw_frame is.
#pragma once
#include <opencv2/core.hpp>
struct gw_frame { cv::Mat mat; };
