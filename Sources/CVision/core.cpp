#include "CVision.h"
#include <opencv2/core.hpp>
extern "C" const char *gw_opencv_version(void) { return CV_VERSION; }
