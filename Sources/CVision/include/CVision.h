// C ABI over OpenCV for Swift. Umbrella header: one header per area.
#ifndef GATEWATCH_CVISION_H
#define GATEWATCH_CVISION_H
#include "cvision_core.h"
#include "cvision_detect.h"
#include "cvision_yolox.h"
#include "cvision_write.h"
#include "cvision_draw.h"
#include "cvision_synth.h"
#endif
