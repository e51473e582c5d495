#ifndef GATEWATCH_CVISION_SYNTH_H
#define GATEWATCH_CVISION_SYNTH_H
#ifdef __cplusplus
extern "C" {
#endif
#ifdef __cplusplus
}
#endif
#endif
