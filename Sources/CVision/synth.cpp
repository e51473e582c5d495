// Synthetic scenes (cvision_synth.h): the stage (background), drawing walkers as cut-out
// sprites or top-down blobs, sensor noise, and tamper effects. The sprite bank is built in
// sprites.cpp; clips are written with write.cpp. Policy (paths, timing, truth) lives in Swift.
#include "CVision.h"
#include "cvision_internal.hpp"
#include "sprite_bank.hpp"
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace gw;

// ---------------------------------------------------------------- rendering

struct gw_synth_stage {
    int style = 0;
    cv::Mat bg;     // CV_8UC3 at output size
    cv::Mat noise;  // CV_16SC3, larger than the frame; a random window of it per frame
};

extern "C" gw_synth_stage *gw_synth_stage_new(const gw_sprite_bank *bank, int style, int width, int height, uint64_t seed) {
    auto *st = new gw_synth_stage();
    st->style = style;
    cv::RNG rng(seed ? seed : 1);
    if (style == 0 && bank) {
        cv::resize(bank->background, st->bg, cv::Size(width, height), 0, 0, cv::INTER_AREA);
    } else {
        // Overhead floor: paving slabs of slightly different shades, grout lines, fine grain.
        cv::Mat floor(height, width, CV_8UC3);
        const int tile = std::max(24, width / 14);
        const cv::Vec3b base(rng.uniform(120, 150), rng.uniform(130, 160), rng.uniform(135, 170));
        for (int ty = 0; ty * tile < height; ty++)
            for (int tx = 0; tx * tile < width; tx++) {
                int d = rng.uniform(-14, 15);
                cv::Rect r(tx * tile, ty * tile, tile, tile);
                r &= cv::Rect(0, 0, width, height);
                floor(r).setTo(cv::Scalar(base[0] + d, base[1] + d, base[2] + d));
                cv::rectangle(floor, r, cv::Scalar(base[0] - 45, base[1] - 45, base[2] - 45), 2);
            }
        cv::Mat grain(height, width, CV_16SC3);
        rng.fill(grain, cv::RNG::NORMAL, 0, 6);
        cv::Mat f16;
        floor.convertTo(f16, CV_16SC3);
        f16 += grain;
        f16.convertTo(st->bg, CV_8UC3);
        cv::GaussianBlur(st->bg, st->bg, {3, 3}, 0);
    }
    st->noise.create(height + 64, width + 64, CV_16SC3);
    rng.fill(st->noise, cv::RNG::NORMAL, 0, 1.0);  // unit noise, scaled per frame
    return st;
}

extern "C" void gw_synth_stage_free(gw_synth_stage *stage) { delete stage; }

namespace {

void blendSprite(cv::Mat &canvas, const cv::Mat &bgr, const cv::Mat &alpha, int x0, int y0) {
    cv::Rect dst(x0, y0, bgr.cols, bgr.rows);
    cv::Rect clip = dst & cv::Rect(0, 0, canvas.cols, canvas.rows);
    if (clip.empty()) return;
    for (int y = clip.y; y < clip.br().y; y++) {
        uchar *o = canvas.ptr<uchar>(y);
        const uchar *s = bgr.ptr<uchar>(y - y0);
        const uchar *a = alpha.ptr<uchar>(y - y0);
        for (int x = clip.x; x < clip.br().x; x++) {
            int sx = x - x0;
            int al = a[sx];
            if (al == 0) continue;
            for (int c = 0; c < 3; c++)
                o[x * 3 + c] = (uchar)((s[sx * 3 + c] * al + o[x * 3 + c] * (255 - al) + 127) / 255);
        }
    }
}

void drawBlob(cv::Mat &canvas, const gw_synth_walker &w) {
    // Seen from above: soft shadow, shoulders as an ellipse across the heading, arms, head.
    const cv::Point2f c(w.foot_x, w.foot_y - w.height / 2);
    const float deg = w.heading * 180.f / (float)CV_PI;
    const float across = w.width * 0.48f, along = w.height * 0.26f;
    const cv::Scalar col((w.color >> 16) & 255, (w.color >> 8) & 255, w.color & 255);
    const int shift = 4, k = 1 << shift;
    auto P = [&](cv::Point2f p) { return cv::Point((int)std::lround(p.x * k), (int)std::lround(p.y * k)); };
    auto S = [&](float a, float b) { return cv::Size((int)std::lround(a * k), (int)std::lround(b * k)); };
    cv::ellipse(canvas, P(c + cv::Point2f(3, 3)), S(across, along * 1.2f), deg, 0, 360, cv::Scalar(60, 60, 60), -1, cv::LINE_AA, shift);
    cv::ellipse(canvas, P(c), S(across, along), deg, 0, 360, col * 0.7, -1, cv::LINE_AA, shift);
    cv::ellipse(canvas, P(c), S(across * 0.85f, along * 0.8f), deg, 0, 360, col, -1, cv::LINE_AA, shift);
    const cv::Point2f fwd(std::cos(w.heading), std::sin(w.heading));
    const float hr = std::min(w.width, w.height) * 0.2f;
    cv::circle(canvas, P(c + fwd * (along * 0.2f)), (int)std::lround(hr * k), cv::Scalar(30, 35, 45), -1, cv::LINE_AA, shift);
}

}  // namespace

namespace gw {

void drawSprite(cv::Mat &canvas, const gw_sprite_bank *bank, const gw_synth_walker &w) {
    if (!bank || bank->seqs.empty()) return;
    const Seq &q = bank->seqs[(size_t)std::max(0, w.seq) % bank->seqs.size()];
    const Sprite &sp = q.frames[(size_t)std::max(0, w.frame) % q.frames.size()];
    const double scale = std::max(4.0f, w.height) / sp.bgr.rows;
    const int ww = std::max(2, (int)std::lround(sp.bgr.cols * scale));
    const int hh = std::max(4, (int)std::lround(w.height));
    cv::Mat bgr, alpha;
    const int interp = scale > 1 ? cv::INTER_LINEAR : cv::INTER_AREA;
    cv::resize(sp.bgr, bgr, {ww, hh}, 0, 0, interp);
    cv::resize(sp.alpha, alpha, {ww, hh}, 0, 0, interp);
    if (w.flip) { cv::flip(bgr, bgr, 1); cv::flip(alpha, alpha, 1); }
    if (std::fabs(w.hue_shift) > 0.5f || std::fabs(w.brightness - 1.0f) > 0.01f) {
        cv::Mat hsv;
        cv::cvtColor(bgr, hsv, cv::COLOR_BGR2HSV);
        const int dh = ((int)std::lround(w.hue_shift) % 180 + 180) % 180;
        for (int y = 0; y < hsv.rows; y++) {
            cv::Vec3b *p = hsv.ptr<cv::Vec3b>(y);
            for (int x = 0; x < hsv.cols; x++) {
                // Only clearly coloured parts (clothes) change hue; skin and grey stay natural.
                const int h = p[x][0];
                const bool skin = h < 25 || h > 165;
                if (p[x][1] > 80 && p[x][2] > 40 && !skin) p[x][0] = (uchar)((h + dh) % 180);
                p[x][2] = cv::saturate_cast<uchar>(p[x][2] * w.brightness);
            }
        }
        cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
    }
    blendSprite(canvas, bgr, alpha, (int)std::lround(w.foot_x - ww / 2.0), (int)std::lround(w.foot_y - hh));
}

}  // namespace gw

extern "C" int gw_synth_render(gw_synth_stage *st, const gw_sprite_bank *bank, gw_frame *out,
                               const gw_synth_walker *walkers, int count, uint64_t noise_seed,
                               float noise_sigma, char *err, int err_len) {
    try {
        st->bg.copyTo(out->mat);
        std::vector<const gw_synth_walker *> order;
        for (int i = 0; i < count; i++) order.push_back(&walkers[i]);
        std::sort(order.begin(), order.end(), [](auto *a, auto *b) { return a->depth != b->depth ? a->depth < b->depth : a < b; });
        for (const gw_synth_walker *w : order) {
            if (st->style == 0) drawSprite(out->mat, bank, *w);
            else drawBlob(out->mat, *w);
        }
        if (noise_sigma > 0) {
            cv::RNG rng(noise_seed ? noise_seed : 7);
            const int ox = rng.uniform(0, 64), oy = rng.uniform(0, 64);
            cv::Mat n = st->noise(cv::Rect(ox, oy, out->mat.cols, out->mat.rows));
            cv::Mat f16;
            out->mat.convertTo(f16, CV_16SC3);
            cv::scaleAdd(n, noise_sigma, f16, f16);
            f16.convertTo(out->mat, CV_8UC3);
        }
        return 0;
    } catch (const std::exception &e) {
        setError(err, err_len, std::string("synthetic render failed: ") + e.what());
        return -1;
    }
}

extern "C" void gw_synth_cover(gw_frame *frame, uint64_t seed) {
    cv::RNG rng(seed ? seed : 3);
    cv::Mat n(frame->mat.size(), CV_16SC3);
    rng.fill(n, cv::RNG::NORMAL, 14, 2);
    n.convertTo(frame->mat, CV_8UC3);
}

extern "C" void gw_synth_move(gw_frame *frame, float dx, float dy, float degrees) {
    cv::Mat &m = frame->mat;
    cv::Mat rot = cv::getRotationMatrix2D(cv::Point2f(m.cols / 2.f, m.rows / 2.f), degrees, 1.0);
    rot.at<double>(0, 2) += dx * m.cols;
    rot.at<double>(1, 2) += dy * m.rows;
    cv::Mat moved;
    cv::warpAffine(m, moved, rot, m.size(), cv::INTER_LINEAR, cv::BORDER_REFLECT);
    m = moved;
}
