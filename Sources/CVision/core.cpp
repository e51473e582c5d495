// OpenCV behind the C ABI of cvision_core.h. Every entry point that can throw
// catches cv::Exception / std::exception and turns it into one line in `err`.
#include "CVision.h"
#include "frame_internal.hpp"
#include "detector_internal.hpp"
#include <opencv2/core.hpp>
#include <opencv2/dnn.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>
#include <opencv2/video/background_segm.hpp>
#include <opencv2/videoio.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <dlfcn.h>
#include <mutex>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <sys/stat.h>
#include <vector>

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

bool fileExists(const char *path) {
    struct stat st;
    return ::stat(path, &st) == 0;
}

cv::Mat toGrey(const cv::Mat &bgr, int width, int interpolation = cv::INTER_AREA) {
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

extern "C" int gw_png_write(const gw_frame *frame, const char *path, char *err, int errlen) {
    try {
        if (!cv::imwrite(path, frame->mat)) {
            setError(err, errlen, std::string("cannot write PNG ") + path + " (check the directory exists and is writable)");
            return -1;
        }
        return 0;
    } catch (const cv::Exception &e) {
        setError(err, errlen, std::string("cannot write PNG ") + path + ": " + cvReason(e));
        return -1;
    }
}

extern "C" int gw_jpeg_encode(const gw_frame *frame, int quality, uint8_t **out, size_t *outlen,
                              char *err, int errlen) {
    try {
        std::vector<uchar> buf;
        std::vector<int> params = {cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 1, 100)};
        if (!cv::imencode(".jpg", frame->mat, buf, params)) {
            setError(err, errlen, "JPEG encoding failed");
            return -1;
        }
        *out = (uint8_t *)std::malloc(buf.size());
        if (!*out) { setError(err, errlen, "out of memory encoding JPEG"); return -1; }
        std::memcpy(*out, buf.data(), buf.size());
        *outlen = buf.size();
        return 0;
    } catch (const cv::Exception &e) {
        setError(err, errlen, "JPEG encoding failed: " + cvReason(e));
        return -1;
    }
}
extern "C" void gw_buffer_free(uint8_t *buffer) { std::free(buffer); }

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

// ---------------------------------------------------------------- detectors

namespace {

gw_box normBox(const cv::Rect2f &r, float fw, float fh, float score) {
    float x0 = std::clamp(r.x / fw, 0.f, 1.f), y0 = std::clamp(r.y / fh, 0.f, 1.f);
    float x1 = std::clamp((r.x + r.width) / fw, 0.f, 1.f), y1 = std::clamp((r.y + r.height) / fh, 0.f, 1.f);
    return gw_box{x0, y0, std::max(0.f, x1 - x0), std::max(0.f, y1 - y0), score};
}

struct SSDDetector : gw_detector {
    cv::dnn::Net net;
    int classId = 1;
    cv::Mat blob;
    void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) override {
        // The model wants raw RGB 0..255 at 300x300: scale 1, no mean (scaling gives no detections).
        cv::dnn::blobFromImage(frame, blob, 1.0, cv::Size(300, 300), cv::Scalar(), true, false, CV_32F);
        net.setInput(blob);
        cv::Mat res = net.forward();
        // [1,1,N,7]: image, class, score, x1, y1, x2, y2 (normalised)
        const int n = res.size[2];
        cv::Mat rows(n, 7, CV_32F, res.ptr<float>());
        for (int i = 0; i < n; i++) {
            const float *r = rows.ptr<float>(i);
            if ((int)r[1] != classId || r[2] < minScore) continue;
            float x0 = std::clamp(r[3], 0.f, 1.f), y0 = std::clamp(r[4], 0.f, 1.f);
            float x1 = std::clamp(r[5], 0.f, 1.f), y1 = std::clamp(r[6], 0.f, 1.f);
            if (x1 <= x0 || y1 <= y0) continue;
            out.push_back(gw_box{x0, y0, x1 - x0, y1 - y0, r[2]});
        }
    }
};

struct HOGDetector : gw_detector {
    cv::HOGDescriptor hog;
    int scaleWidth = 0;
    double hitThreshold = 0;
    void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) override {
        cv::Mat img = frame;
        if (scaleWidth > 0 && frame.cols != scaleWidth) {
            int h = std::max(1, (int)std::lround((double)frame.rows * scaleWidth / frame.cols));
            cv::resize(frame, img, cv::Size(scaleWidth, h), 0, 0, scaleWidth < frame.cols ? cv::INTER_AREA : cv::INTER_LINEAR);
        }
        std::vector<cv::Rect> found;
        std::vector<double> weights;
        hog.detectMultiScale(img, found, weights, hitThreshold, cv::Size(8, 8), cv::Size(8, 8), 1.05, 2.0, false);
        for (size_t i = 0; i < found.size(); i++) {
            // SVM margin -> 0..1 (margin 0 = 0.5) so one score threshold works for every detector.
            double w = i < weights.size() ? weights[i] : 0;
            float score = (float)(1.0 / (1.0 + std::exp(-2.0 * w)));
            if (score < minScore) continue;
            // The default detector's window has ~10% margin around the person each side.
            cv::Rect2f r = found[i];
            r.x += r.width * 0.1f; r.width *= 0.8f;
            r.y += r.height * 0.05f; r.height *= 0.9f;
            out.push_back(normBox(r, (float)img.cols, (float)img.rows, score));
        }
    }
};

struct MotionBlobDetector : gw_detector {
    cv::Ptr<cv::BackgroundSubtractorMOG2> mog;
    int workWidth = 320;
    double minArea = 0.002, maxArea = 0.25, personWidth = 0;
    cv::Mat small, mask;
    // Recent blob sizes (work-image pixels). Most blobs are one person, so their median
    // is a person's size; a blob much wider or taller is people side by side or in a row.
    std::vector<float> recentW, recentH;
    size_t next = 0;
    static constexpr size_t kKeep = 240, kMinSamples = 30;

    static float median(std::vector<float> v) {
        std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
        return v[v.size() / 2];
    }
    void remember(const cv::Rect &r) {
        if (recentW.size() < kKeep) { recentW.push_back((float)r.width); recentH.push_back((float)r.height); }
        else { recentW[next] = (float)r.width; recentH[next] = (float)r.height; next = (next + 1) % kKeep; }
    }

    /// Boxes around each core of a merged blob; false when it has only one core.
    bool splitByCores(const cv::Rect &r, float score, float fw, float fh, float personArea, std::vector<gw_box> &out) {
        cv::Mat roi = mask(r).clone(), dist, cores, labels, stats, centroids;
        cv::distanceTransform(roi, dist, cv::DIST_L2, 3);
        double maxVal = 0;
        cv::minMaxLoc(dist, nullptr, &maxVal);
        if (maxVal < 2) return false;
        cv::threshold(dist, cores, 0.6 * maxVal, 255, cv::THRESH_BINARY);
        cores.convertTo(cores, CV_8U);
        int n = cv::connectedComponentsWithStats(cores, labels, stats, centroids);
        if (n - 1 < 2) return false;
        // Specks of the core are noise, not people; and a blob holds no more people than its area allows.
        int largest = 0;
        for (int i = 1; i < n; i++) largest = std::max(largest, stats.at<int>(i, cv::CC_STAT_AREA));
        std::vector<int> keep;
        for (int i = 1; i < n; i++) if (stats.at<int>(i, cv::CC_STAT_AREA) * 4 >= largest) keep.push_back(i);
        int room = std::max(2, (int)std::lround((double)r.area() / std::max(1.0, (double)personArea)));
        if (keep.size() < 2 || (int)keep.size() > room) return false;
        float grow = (float)(0.4 * maxVal + 1);
        for (int i : keep) {
            cv::Rect2f part((float)(r.x + stats.at<int>(i, cv::CC_STAT_LEFT)) - grow,
                            (float)(r.y + stats.at<int>(i, cv::CC_STAT_TOP)) - grow,
                            (float)stats.at<int>(i, cv::CC_STAT_WIDTH) + 2 * grow,
                            (float)stats.at<int>(i, cv::CC_STAT_HEIGHT) + 2 * grow);
            part &= cv::Rect2f((float)r.x, (float)r.y, (float)r.width, (float)r.height);
            if (part.area() > 0) out.push_back(normBox(part, fw, fh, score));
        }
        return true;
    }

    void detect(const cv::Mat &frame, float minScore, std::vector<gw_box> &out) override {
        int h = std::max(1, (int)std::lround((double)frame.rows * workWidth / frame.cols));
        cv::resize(frame, small, cv::Size(workWidth, h), 0, 0, cv::INTER_AREA);
        mog->apply(small, mask);
        // Shadows are marked 127: keep only confident foreground.
        cv::threshold(mask, mask, 200, 255, cv::THRESH_BINARY);
        cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(3, 3)));
        cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(9, 9)));
        std::vector<std::vector<cv::Point>> contours;
        cv::findContours(mask, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
        const double total = (double)mask.total();
        const float fw = (float)mask.cols, fh = (float)mask.rows;
        // A person's size: configured width, else learned from recent blobs.
        float pw = 0, ph = 0;
        if (personWidth > 0) pw = (float)(personWidth * fw);
        else if (recentW.size() >= kMinSamples) { pw = median(recentW); ph = median(recentH); }
        for (auto &c : contours) {
            cv::Rect r = cv::boundingRect(c);
            double area = (double)r.area() / total;
            if (area < minArea || area > maxArea) continue;
            double fill = (double)cv::countNonZero(mask(r)) / std::max(1, r.area());
            float score = (float)std::min(1.0, 0.5 + fill / 2);
            if (score < minScore) continue;
            remember(r);
            // People touching (side by side, or one behind the other) make one blob with a
            // waist: the cores of the distance transform come apart where the bodies are.
            if (pw > 0 && ph > 0 && (double)r.area() > 1.4 * pw * ph && splitByCores(r, score, fw, fh, pw * ph, out)) continue;
            int cols = 1, rows = 1;
            // People differ in size by up to ~1.6x: a blob without a waist is split only when it
            // is clearly wider (taller) than one large person, into parts of a large person's size.
            if (pw > 0 && r.width > 1.8f * pw) cols = std::max(2, (int)std::lround(r.width / (1.15f * pw)));
            if (ph > 0 && r.height > 1.8f * ph) rows = std::max(2, (int)std::lround(r.height / (1.15f * ph)));
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    cv::Rect2f part((float)r.x + (float)r.width * x / cols, (float)r.y + (float)r.height * y / rows,
                                    (float)r.width / cols, (float)r.height / rows);
                    out.push_back(normBox(part, fw, fh, score));
                }
            }
        }
    }
};

} // namespace

extern "C" gw_detector *gw_ssd_new(const char *pb_path, const char *pbtxt_path, int class_id,
                                   char *err, int errlen) {
    if (!fileExists(pb_path)) { setError(err, errlen, std::string("model file not found: ") + pb_path); return nullptr; }
    if (!fileExists(pbtxt_path)) { setError(err, errlen, std::string("model text graph not found: ") + pbtxt_path); return nullptr; }
    try {
        auto d = std::make_unique<SSDDetector>();
        d->net = cv::dnn::readNetFromTensorflow(pb_path, pbtxt_path);
        if (d->net.empty()) {
            setError(err, errlen, std::string("cannot load person model ") + pb_path);
            return nullptr;
        }
        d->net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        d->net.setPreferableTarget(cv::dnn::DNN_TARGET_CPU);
        d->classId = class_id;
        return d.release();
    } catch (const cv::Exception &e) {
        std::string why = cvReason(e);
        if (why.find("parse") != std::string::npos || why.find("Parse") != std::string::npos)
            why = "damaged, or not the TensorFlow graph and text graph of the person model";
        setError(err, errlen, std::string("cannot load person model ") + pb_path + ": " + why +
                 " (reinstall frozen_inference_graph.pb and ssdlite-person.pbtxt)");
        return nullptr;
    }
}

extern "C" gw_detector *gw_hog_new(int scale_width, double hit_threshold) {
    auto *d = new HOGDetector();
    d->hog.setSVMDetector(cv::HOGDescriptor::getDefaultPeopleDetector());
    d->scaleWidth = scale_width;
    d->hitThreshold = hit_threshold;
    return d;
}

extern "C" gw_detector *gw_motion_blob_new(int work_width, double min_area, double max_area,
                                           double person_width, int history, double var_threshold) {
    auto *d = new MotionBlobDetector();
    d->workWidth = work_width > 16 ? work_width : 320;
    d->minArea = min_area > 0 ? min_area : 0.002;
    d->maxArea = max_area > 0 ? max_area : 0.25;
    d->personWidth = person_width;
    d->mog = cv::createBackgroundSubtractorMOG2(history > 0 ? history : 500, var_threshold > 0 ? var_threshold : 16, true);
    return d;
}

extern "C" int gw_detector_detect(gw_detector *d, const gw_frame *frame, float min_score,
                                  gw_box *out, int max_boxes, char *err, int errlen) {
    try {
        std::vector<gw_box> boxes;
        d->detect(frame->mat, min_score, boxes);
        int n = std::min((int)boxes.size(), max_boxes);
        for (int i = 0; i < n; i++) out[i] = boxes[(size_t)i];
        return n;
    } catch (const cv::Exception &e) {
        setError(err, errlen, "detector failed: " + cvReason(e));
        return -1;
    } catch (const std::exception &e) {
        setError(err, errlen, std::string("detector failed: ") + e.what());
        return -1;
    }
}
extern "C" void gw_detector_free(gw_detector *d) { delete d; }

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

// ---------------------------------------------------------------- video writer

struct gw_writer {
    cv::VideoWriter writer;
    cv::Size size;
    std::string path;
};

extern "C" gw_writer *gw_writer_open(const char *path, double fps, int width, int height,
                                     char *err, int errlen) {
    quietLibraries();
    try {
        auto w = std::make_unique<gw_writer>();
        w->size = cv::Size(width, height);
        w->path = path;
        if (!w->writer.open(path, cv::CAP_OPENCV_MJPEG, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), fps > 0 ? fps : 10, w->size, true)) {
            setError(err, errlen, std::string("cannot write video ") + path + " (check the directory exists and is writable; use a .avi name)");
            return nullptr;
        }
        return w.release();
    } catch (const cv::Exception &e) {
        setError(err, errlen, std::string("cannot write video ") + path + ": " + cvReason(e));
        return nullptr;
    }
}

extern "C" int gw_writer_write(gw_writer *w, const gw_frame *frame, char *err, int errlen) {
    try {
        if (frame->mat.size() == w->size) {
            w->writer.write(frame->mat);
        } else {
            cv::Mat r;
            cv::resize(frame->mat, r, w->size);
            w->writer.write(r);
        }
        return 0;
    } catch (const cv::Exception &e) {
        setError(err, errlen, "writing video " + w->path + " failed: " + cvReason(e));
        return -1;
    }
}
extern "C" void gw_writer_close(gw_writer *w) {
    if (!w) return;
    try { w->writer.release(); } catch (const cv::Exception &) {}
    delete w;
}
