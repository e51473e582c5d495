#ifndef GATEWATCH_CVISION_DRAW_H
#define GATEWATCH_CVISION_DRAW_H
// Drawing on pictures: the evidence overlays (counting lines, side labels, detection region)
// and the privacy blur over people. Coordinates are pixels; colours are B, G, R (0..255).
#include "cvision_core.h"
#ifdef __cplusplus
extern "C" {
#endif

/// A straight segment, anti-aliased, `thickness` pixels wide.
void gw_draw_line(gw_frame *frame, int x1, int y1, int x2, int y2, int b, int g, int r, int thickness);
/// A segment with an arrow head at (x2, y2) (the in-side arrow of a counting line).
void gw_draw_arrow(gw_frame *frame, int x1, int y1, int x2, int y2, int b, int g, int r, int thickness);
/// A rectangle's outline; dashed when `dashed` is non-zero (detection tiles).
void gw_draw_rect(gw_frame *frame, int x, int y, int w, int h, int b, int g, int r, int thickness, int dashed);
/// ASCII text with a dark outline, readable on any picture; (x, y) is the left end of its
/// baseline. `scale` 1.0 is about 22 px tall. Characters outside ASCII are drawn as '?'.
void gw_draw_text(gw_frame *frame, const char *text, int x, int y, double scale, int b, int g, int r);
/// Width and height in pixels that gw_draw_text would use for `text` at `scale`.
void gw_text_size(const char *text, double scale, int *width, int *height);
/// A new frame: this one with `rows` rows of colour (b, g, r) added below it (a caption band
/// that covers nothing of the picture).
gw_frame *gw_frame_extend_below(const gw_frame *frame, int rows, int b, int g, int r);
/// Makes the rectangle unrecognisable: coarse blocks (about 6 across its short side), then a
/// blur over them; cut to the picture. What the privacy setting does to every person.
void gw_frame_obscure(gw_frame *frame, int x, int y, int w, int h);

#ifdef __cplusplus
}
#endif
#endif
