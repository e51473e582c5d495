#ifndef GATEWATCH_CVISION_CORE_H
#define GATEWATCH_CVISION_CORE_H
#ifdef __cplusplus
extern "C" {
#endif
/// Version of the OpenCV library linked, e.g. "4.6.0".
const char *gw_opencv_version(void);
#ifdef __cplusplus
}
#endif
#endif
