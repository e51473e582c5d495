// OpenCV behind the C ABI of cvision_core.h: frames, capture, the motion gate and frame
// statistics, plus the helpers every CVision file shares (cvision_internal.hpp). Every entry
// point that can throw catches cv::Exception and turns it into one line in `err`.
#include "CVision.h"
#include "cvision_internal.hpp"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <memory>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <vector>

namespace {

// FFmpeg (inside OpenCV's videoio) prints its errors to stderr, which would break our
// one-line messages. Route its log through a callback that keeps the last error line of
// this thread so it can end our message instead ("Connection refused").
thread_local std::string lastAvError;

void avLogCallback(void *, int level, const char *fmt, va_list args) {
    if (level > 16 /* AV_LOG_ERROR */) return;
    char buf[256];
    std::vsnprintf(buf, sizeof buf, fmt, args);
    std::string line(buf);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ' || line.back() == '.')) line.pop_back();
    if (!line.empty()) lastAvError = line;
}

// " (Connection refused)" when FFmpeg said why, else "".
std::string avReason() {
    if (lastAvError.empty()) return "";
    std::string r = lastAvError;
    lastAvError.clear();
    auto at = r.find("failed: ");
    if (at != std::string::npos) r = r.substr(at + 8);
    if (r.size() > 100) r = r.substr(0, 100);
    return ": " + r;
}

} // namespace

namespace gw {

void setError(char *err, int errlen, const std::string &msg) {
    if (!err || errlen <= 0) return;
    // One line only: OpenCV messages may hold newlines and source locations.
    std::string line = msg;
    for (auto &c : line) if (c == '\n' || c == '\r') c = ' ';
    std::snprintf(err, (size_t)errlen, "%s", line.c_str());
}

// cv::Exception::what() holds file/line noise; err is the short reason.
std::string cvReason(const cv::Exception &e) {
    std::string s = e.err.empty() ? e.what() : e.err;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    if (s.size() > 120) s = s.substr(0, 117) + "...";
    return s;
}

void quietLibraries() {
    static std::once_flag once;
    std::call_once(once, [] {
        // OPENCV_LOG_LEVEL / OPENCV_FFMPEG_DEBUG keep their usual meaning for debugging.
        if (!std::getenv("OPENCV_LOG_LEVEL"))
            cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_ERROR);
        if (std::getenv("OPENCV_FFMPEG_DEBUG")) return;
        // libavutil is loaded with libopencv_videoio; no link-time dependency needed.
        using SetCallback = void (*)(void (*)(void *, int, const char *, va_list));
        if (auto f = (SetCallback)dlsym(RTLD_DEFAULT, "av_log_set_callback")) f(avLogCallback);
    });
}

bool fileExists(const char *path) {
    struct stat st;
    return ::stat(path, &st) == 0;
}

cv::Mat toGrey(const cv::Mat &bgr, int width, int interpolation) {
    cv::Mat small, grey;
    if (width > 0 && bgr.cols != width) {
        int h = std::max(1, (int)std::lround((double)bgr.rows * width / bgr.cols));
        cv::resize(bgr, small, cv::Size(width, h), 0, 0, interpolation);
    } else {
        small = bgr;
    }
    if (small.channels() == 3) cv::cvtColor(small, grey, cv::COLOR_BGR2GRAY);
    else grey = small.clone();
    return grey;
}

} // namespace gw

using namespace gw;

extern "C" const char *gw_opencv_version(void) { return CV_VERSION; }
extern "C" void gw_set_num_threads(int n) { cv::setNumThreads(n <= 0 ? -1 : n); }
extern "C" int gw_get_num_threads(void) { return cv::getNumThreads(); }

// ---------------------------------------------------------------- frames

extern "C" gw_frame *gw_frame_new(int width, int height) {
    auto *f = new gw_frame();
    f->mat = cv::Mat(height, width, CV_8UC3, cv::Scalar(0, 0, 0));
    return f;
}
extern "C" gw_frame *gw_frame_clone(const gw_frame *frame) {
    auto *f = new gw_frame();
    f->mat = frame->mat.clone();
    return f;
}
extern "C" void gw_frame_free(gw_frame *frame) { delete frame; }
extern "C" int gw_frame_width(const gw_frame *frame) { return frame->mat.cols; }
extern "C" int gw_frame_height(const gw_frame *frame) { return frame->mat.rows; }
extern "C" uint8_t *gw_frame_data(gw_frame *frame) { return frame->mat.data; }
extern "C" int gw_frame_step(const gw_frame *frame) { return (int)frame->mat.step; }

extern "C" gw_frame *gw_frame_resize(const gw_frame *frame, int width, int height) {
    auto *f = new gw_frame();
    try {
        int interp = (width < frame->mat.cols) ? cv::INTER_AREA : cv::INTER_LINEAR;
        cv::resize(frame->mat, f->mat, cv::Size(std::max(1, width), std::max(1, height)), 0, 0, interp);
    } catch (const cv::Exception &) {
        f->mat = cv::Mat(std::max(1, height), std::max(1, width), CV_8UC3, cv::Scalar(0, 0, 0));
    }
    return f;
}

extern "C" gw_frame *gw_frame_crop(const gw_frame *frame, int x, int y, int w, int h) {
    cv::Rect rect = cv::Rect(x, y, w, h) & cv::Rect(0, 0, frame->mat.cols, frame->mat.rows);
    if (rect.area() <= 0) return nullptr;
    auto *f = new gw_frame();
    f->mat = frame->mat(rect).clone();
    return f;
}

extern "C" gw_frame *gw_frame_translate(const gw_frame *frame, int dx, int dy) {
    auto *f = new gw_frame();
    try {
        cv::Mat m = (cv::Mat_<double>(2, 3) << 1, 0, dx, 0, 1, dy);
        cv::warpAffine(frame->mat, f->mat, m, frame->mat.size(), cv::INTER_NEAREST, cv::BORDER_REPLICATE);
    } catch (const cv::Exception &) {
        f->mat = frame->mat.clone();
    }
    return f;
}

extern "C" void gw_frame_fill_rect(gw_frame *frame, int x, int y, int w, int h, int b, int g, int r) {
    cv::Rect rect = cv::Rect(x, y, w, h) & cv::Rect(0, 0, frame->mat.cols, frame->mat.rows);
    if (rect.area() > 0) frame->mat(rect).setTo(cv::Scalar(b, g, r));
}

extern "C" gw_frame *gw_image_read(const char *path, char *err, int errlen) {
    if (!fileExists(path)) {
        setError(err, errlen, std::string("image not found: ") + path);
        return nullptr;
    }
    try {
        cv::Mat m = cv::imread(path, cv::IMREAD_COLOR);
        if (m.empty()) {
            setError(err, errlen, std::string("cannot decode image: ") + path);
            return nullptr;
        }
        auto *f = new gw_frame();
        f->mat = m;
        return f;
    } catch (const cv::Exception &e) {
        setError(err, errlen, std::string("cannot read image ") + path + ": " + cvReason(e));
        return nullptr;
    }
}

// ---------------------------------------------------------------- capture

struct gw_capture {
    cv::VideoCapture cap;
    int kind = GW_SOURCE_FILE;
    std::string uri;
};

extern "C" gw_capture *gw_capture_open(const char *uri, int kind, int open_timeout_ms, int read_timeout_ms,
                                       char *err, int errlen) {
    std::string u(uri);
    if ((kind == GW_SOURCE_FILE || kind == GW_SOURCE_DEVICE) && !fileExists(uri)) {
        setError(err, errlen, std::string(kind == GW_SOURCE_FILE ? "video file not found: " : "video device not found: ") + u);
        return nullptr;
    }
    quietLibraries();
    lastAvError.clear();
    auto c = std::make_unique<gw_capture>();
    c->kind = kind;
    c->uri = u;
    try {
        bool ok = false;
        if (kind == GW_SOURCE_STREAM) {
            std::vector<int> params = {cv::CAP_PROP_OPEN_TIMEOUT_MSEC, std::max(1, open_timeout_ms),
                                       cv::CAP_PROP_READ_TIMEOUT_MSEC, std::max(1, read_timeout_ms)};
            ok = c->cap.open(u, cv::CAP_FFMPEG, params);
        } else if (kind == GW_SOURCE_DEVICE) {
            ok = c->cap.open(u, cv::CAP_V4L2);
        } else {
            ok = c->cap.open(u, cv::CAP_FFMPEG);
        }
        if (!ok || !c->cap.isOpened()) {
            if (kind == GW_SOURCE_STREAM)
                setError(err, errlen, "stream does not answer or cannot be decoded: " + u + avReason() +
                         " (check the URL, the camera and the network)");
            else if (kind == GW_SOURCE_DEVICE)
                setError(err, errlen, "cannot open video device " + u + " (is it a V4L2 camera and readable?)");
            else
                setError(err, errlen, "cannot decode video file " + u + avReason() + " (not a video FFmpeg can read)");
            return nullptr;
        }
        // Live sources: keep the driver's queue short so frames are fresh.
        if (kind != GW_SOURCE_FILE) c->cap.set(cv::CAP_PROP_BUFFERSIZE, 1);
    } catch (const cv::Exception &e) {
        setError(err, errlen, "cannot open " + u + ": " + cvReason(e));
        return nullptr;
    }
    return c.release();
}

extern "C" int gw_capture_read(gw_capture *c, gw_frame **out, char *err, int errlen) {
    *out = nullptr;
    try {
        cv::Mat m;
        if (!c->cap.read(m) || m.empty()) return 0;
        if (m.type() != CV_8UC3) {
            cv::Mat bgr;
            if (m.channels() == 1) cv::cvtColor(m, bgr, cv::COLOR_GRAY2BGR);
            else if (m.channels() == 4) cv::cvtColor(m, bgr, cv::COLOR_BGRA2BGR);
            else m.convertTo(bgr, CV_8UC3);
            m = bgr;
        }
        auto *f = new gw_frame();
        f->mat = m;
        *out = f;
        return 1;
    } catch (const cv::Exception &e) {
        setError(err, errlen, "reading " + c->uri + " failed: " + cvReason(e));
        return -1;
    }
}

extern "C" double gw_capture_fps(gw_capture *c) {
    double fps = c->cap.get(cv::CAP_PROP_FPS);
    return (std::isfinite(fps) && fps > 0 && fps < 1000) ? fps : 0;
}
extern "C" int64_t gw_capture_frame_count(gw_capture *c) {
    if (c->kind != GW_SOURCE_FILE) return -1;
    double n = c->cap.get(cv::CAP_PROP_FRAME_COUNT);
    return (std::isfinite(n) && n > 0) ? (int64_t)n : -1;
}
extern "C" int gw_capture_width(gw_capture *c) { return (int)c->cap.get(cv::CAP_PROP_FRAME_WIDTH); }
extern "C" int gw_capture_height(gw_capture *c) { return (int)c->cap.get(cv::CAP_PROP_FRAME_HEIGHT); }
extern "C" int gw_capture_codec(gw_capture *c, char *out, int outlen) {
    if (outlen < 5) return 0;
    const double v = c->cap.get(cv::CAP_PROP_FOURCC);
    if (!std::isfinite(v) || v <= 0) { out[0] = 0; return 0; }
    const uint32_t code = (uint32_t)v;
    int n = 0;
    for (int i = 0; i < 4; i++) {
        const char ch = (char)((code >> (8 * i)) & 0xFF);
        if (ch > ' ' && ch < 127) out[n++] = ch;
    }
    out[n] = 0;
    return n;
}
extern "C" int gw_capture_rewind(gw_capture *c) {
    if (c->kind != GW_SOURCE_FILE) return -1;
    try {
        return c->cap.set(cv::CAP_PROP_POS_FRAMES, 0) ? 0 : -1;
    } catch (const cv::Exception &) {
        return -1;
    }
}
extern "C" void gw_capture_free(gw_capture *c) { delete c; }

// ---------------------------------------------------------------- motion gate

struct gw_motion {
    int width = 160;
    int threshold = 20;
    cv::Mat prev;
};

extern "C" gw_motion *gw_motion_new(int small_width, int pixel_threshold) {
    auto *m = new gw_motion();
    m->width = small_width > 8 ? small_width : 160;
    m->threshold = pixel_threshold > 0 ? pixel_threshold : 20;
    return m;
}

extern "C" double gw_motion_measure(gw_motion *m, const gw_frame *frame) {
    try {
        // Linear sampling is several times cheaper than area averaging; the blur below
        // removes the aliasing it leaves.
        cv::Mat grey = toGrey(frame->mat, m->width, cv::INTER_LINEAR);
        // Blur so sensor noise and compression shimmer do not count as motion.
        cv::GaussianBlur(grey, grey, cv::Size(5, 5), 0);
        if (m->prev.empty() || m->prev.size() != grey.size()) {
            m->prev = grey;
            return 1.0;
        }
        cv::Mat diff;
        cv::absdiff(grey, m->prev, diff);
        m->prev = grey;
        cv::threshold(diff, diff, m->threshold, 255, cv::THRESH_BINARY);
        return (double)cv::countNonZero(diff) / (double)diff.total();
    } catch (const cv::Exception &) {
        return 1.0; // unknown: let the detector run
    }
}
extern "C" void gw_motion_reset(gw_motion *m) { m->prev.release(); }
extern "C" void gw_motion_free(gw_motion *m) { delete m; }

// ---------------------------------------------------------------- frame statistics

struct gw_stats_state {
    cv::Mat prevGrey;
    cv::Mat reference; // normalised edge map, CV_32F
};

namespace {

// Structure of the view, robust to lighting: gradient magnitude on a tiny blurred image.
cv::Mat edgeMap(const cv::Mat &bgr) {
    cv::Mat g = toGrey(bgr, 80), gx, gy, mag;
    cv::GaussianBlur(g, g, cv::Size(3, 3), 0);
    cv::Sobel(g, gx, CV_32F, 1, 0);
    cv::Sobel(g, gy, CV_32F, 0, 1);
    cv::magnitude(gx, gy, mag);
    return mag;
}

double correlation(const cv::Mat &a, const cv::Mat &b) {
    if (a.size() != b.size()) return 0;
    cv::Scalar ma, sa, mb, sb;
    cv::meanStdDev(a, ma, sa);
    cv::meanStdDev(b, mb, sb);
    if (sa[0] < 1e-6 || sb[0] < 1e-6) return 0; // a flat picture matches nothing
    cv::Mat da = a - ma[0], db = b - mb[0];
    double cov = cv::mean(da.mul(db))[0];
    return cov / (sa[0] * sb[0]);
}

} // namespace

extern "C" gw_stats_state *gw_stats_new(void) { return new gw_stats_state(); }

extern "C" void gw_stats_measure(gw_stats_state *s, const gw_frame *frame, gw_stats *out) {
    std::memset(out, 0, sizeof(*out));
    try {
        cv::Mat grey = toGrey(frame->mat, 320);
        cv::Scalar mean, sd;
        cv::meanStdDev(grey, mean, sd);
        out->brightness = mean[0];
        out->contrast = sd[0];
        cv::Mat lap;
        cv::Laplacian(grey, lap, CV_64F);
        cv::Scalar lm, ls;
        cv::meanStdDev(lap, lm, ls);
        out->sharpness = ls[0] * ls[0];
        if (!s->prevGrey.empty() && s->prevGrey.size() == grey.size()) {
            cv::Mat diff;
            cv::absdiff(grey, s->prevGrey, diff);
            out->change = cv::mean(diff)[0];
        }
        s->prevGrey = grey;
        if (!s->reference.empty()) {
            out->has_reference = 1;
            out->reference_similarity = std::clamp(correlation(edgeMap(frame->mat), s->reference), 0.0, 1.0);
        }
    } catch (const cv::Exception &) {
        // Leave zeros: a frame that cannot be measured reads as a dark, flat picture.
    }
}
extern "C" void gw_stats_set_reference(gw_stats_state *s, const gw_frame *frame) {
    try { s->reference = edgeMap(frame->mat); } catch (const cv::Exception &) { s->reference.release(); }
}
extern "C" void gw_stats_clear_reference(gw_stats_state *s) { s->reference.release(); }
extern "C" void gw_stats_free(gw_stats_state *s) { delete s; }
