// Writing pictures and clips (cvision_write.h): image files, JPEG and PNG in memory, MJPG .avi.
// Production and the synthetic toolkit (gatewatch synth) write through these alone.
#include "CVision.h"
#include "cvision_internal.hpp"
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace gw;

extern "C" int gw_image_write(const gw_frame *frame, const char *path, char *err, int errlen) {
    try {
        if (!cv::imwrite(path, frame->mat)) {
            setError(err, errlen, std::string("cannot write image ") + path + " (check the directory exists and is writable)");
            return -1;
        }
        return 0;
    } catch (const cv::Exception &e) {
        // An unknown extension lands here ("could not find a writer...").
        setError(err, errlen, std::string("cannot write image ") + path + ": " + cvReason(e) + " (use a .png or .jpg name)");
        return -1;
    }
}

namespace {
// One encoder for every in-memory format: the bytes are malloc'd for the caller.
int encodeImage(const gw_frame *frame, const char *ext, const char *format, const std::vector<int> &params,
                uint8_t **out, size_t *outlen, char *err, int errlen) {
    try {
        std::vector<uchar> buf;
        if (!cv::imencode(ext, frame->mat, buf, params)) {
            setError(err, errlen, std::string(format) + " encoding failed");
            return -1;
        }
        *out = (uint8_t *)std::malloc(buf.size());
        if (!*out) { setError(err, errlen, std::string("out of memory encoding ") + format); return -1; }
        std::memcpy(*out, buf.data(), buf.size());
        *outlen = buf.size();
        return 0;
    } catch (const cv::Exception &e) {
        setError(err, errlen, std::string(format) + " encoding failed: " + cvReason(e));
        return -1;
    }
}
} // namespace

extern "C" int gw_jpeg_encode(const gw_frame *frame, int quality, uint8_t **out, size_t *outlen,
                              char *err, int errlen) {
    return encodeImage(frame, ".jpg", "JPEG", {cv::IMWRITE_JPEG_QUALITY, std::clamp(quality, 1, 100)}, out, outlen, err, errlen);
}
extern "C" int gw_png_encode(const gw_frame *frame, uint8_t **out, size_t *outlen, char *err, int errlen) {
    return encodeImage(frame, ".png", "PNG", {}, out, outlen, err, errlen);
}
extern "C" void gw_buffer_free(uint8_t *buffer) { std::free(buffer); }

// ---------------------------------------------------------------- video writer
// OpenCV's built-in MJPEG encoder (CAP_OPENCV_MJPEG), not FFmpeg's: it is always there,
// gives the same bytes whatever FFmpeg the machine has, and is what the readers and tests
// were written against. It writes .avi only, which is all GateWatch writes.

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
