// Drawing on pictures (cvision_draw.h): evidence overlays and the privacy blur.
#include "CVision.h"
#include "cvision_internal.hpp"
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <string>

using namespace gw;

namespace {
cv::Scalar bgr(int b, int g, int r) { return cv::Scalar(b, g, r); }

// Hershey fonts know ASCII only: anything else becomes '?', never a garbled glyph.
std::string asciiOnly(const char *text) {
    std::string out;
    for (const unsigned char *p = (const unsigned char *)text; *p; ++p) {
        if (*p < 0x80) { out.push_back(*p >= 0x20 ? (char)*p : '?'); continue; }
        if ((*p & 0xC0) != 0x80) out.push_back('?');   // one '?' per UTF-8 character
    }
    return out;
}

const int kFont = cv::FONT_HERSHEY_SIMPLEX;
int textThickness(double scale) { return std::max(1, (int)(scale * 2 + 0.5)); }
} // namespace

extern "C" void gw_draw_line(gw_frame *frame, int x1, int y1, int x2, int y2, int b, int g, int r, int thickness) {
    cv::line(frame->mat, {x1, y1}, {x2, y2}, bgr(b, g, r), std::max(1, thickness), cv::LINE_AA);
}

extern "C" void gw_draw_arrow(gw_frame *frame, int x1, int y1, int x2, int y2, int b, int g, int r, int thickness) {
    cv::arrowedLine(frame->mat, {x1, y1}, {x2, y2}, bgr(b, g, r), std::max(1, thickness), cv::LINE_AA, 0, 0.3);
}

extern "C" void gw_draw_rect(gw_frame *frame, int x, int y, int w, int h, int b, int g, int r, int thickness, int dashed) {
    thickness = std::max(1, thickness);
    if (!dashed) {
        cv::rectangle(frame->mat, cv::Rect(x, y, w, h), bgr(b, g, r), thickness, cv::LINE_8);
        return;
    }
    const int dash = std::max(6, 4 * thickness);
    auto dashedSegment = [&](cv::Point a, cv::Point c) {
        const double length = cv::norm(c - a);
        for (double s = 0; s < length; s += 2 * dash) {
            const double e = std::min(length, s + dash);
            cv::Point p1 = a + (c - a) * (s / length), p2 = a + (c - a) * (e / length);
            cv::line(frame->mat, p1, p2, bgr(b, g, r), thickness, cv::LINE_8);
        }
    };
    const cv::Point tl(x, y), tr(x + w - 1, y), br(x + w - 1, y + h - 1), bl(x, y + h - 1);
    dashedSegment(tl, tr); dashedSegment(tr, br); dashedSegment(br, bl); dashedSegment(bl, tl);
}

extern "C" void gw_draw_text(gw_frame *frame, const char *text, int x, int y, double scale, int b, int g, int r) {
    const std::string s = asciiOnly(text);
    const double fontScale = std::max(0.2, scale) * 0.7;
    const int t = textThickness(fontScale);
    cv::putText(frame->mat, s, {x, y}, kFont, fontScale, cv::Scalar(0, 0, 0), t + 3, cv::LINE_AA);
    cv::putText(frame->mat, s, {x, y}, kFont, fontScale, bgr(b, g, r), t, cv::LINE_AA);
}

extern "C" void gw_text_size(const char *text, double scale, int *width, int *height) {
    const double fontScale = std::max(0.2, scale) * 0.7;
    int baseline = 0;
    const cv::Size size = cv::getTextSize(asciiOnly(text), kFont, fontScale, textThickness(fontScale) + 3, &baseline);
    *width = size.width;
    *height = size.height + baseline;
}

extern "C" gw_frame *gw_frame_extend_below(const gw_frame *frame, int rows, int b, int g, int r) {
    auto out = new gw_frame();
    cv::copyMakeBorder(frame->mat, out->mat, 0, std::max(0, rows), 0, 0, cv::BORDER_CONSTANT, bgr(b, g, r));
    return out;
}

extern "C" void gw_frame_obscure(gw_frame *frame, int x, int y, int w, int h) {
    const cv::Rect r = cv::Rect(x, y, w, h) & cv::Rect(0, 0, frame->mat.cols, frame->mat.rows);
    if (r.width <= 0 || r.height <= 0) return;
    cv::Mat roi = frame->mat(r);
    // About 6 blocks across the short side: a face becomes one or two flat blocks, so no
    // sharpening can bring it back; the blur then hides the block edges.
    const int cell = std::max(2, std::min(r.width, r.height) / 6);
    cv::Mat small;
    cv::resize(roi, small, cv::Size(std::max(1, r.width / cell), std::max(1, r.height / cell)), 0, 0, cv::INTER_AREA);
    cv::Mat blocks;
    cv::resize(small, blocks, r.size(), 0, 0, cv::INTER_NEAREST);
    const int k = (cell | 1);
    cv::GaussianBlur(blocks, roi, cv::Size(k, k), 0);
}
