// Image decoding and encoding for the renderer: thin, bounded wrappers around libpng's simplified
// API and libjpeg-turbo. They never abort or exit on bad input: every failure comes back as a
// non-zero status with a message.
#ifndef SIGNET_CODECS_H
#define SIGNET_CODECS_H

#include <stddef.h>
#include <stdint.h>

#define SIGNET_CODEC_MESSAGE_SIZE 200

typedef struct {
    uint32_t width;
    uint32_t height;
    /// Straight (not premultiplied) RGBA, 8 bits per channel, row-major; free with signet_codec_free.
    uint8_t *pixels;
    char message[SIGNET_CODEC_MESSAGE_SIZE];
} signet_decoded_image;

/// Reads only the header: 0 and the size, or non-zero and a message.
int signet_png_size(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, char *message);
int signet_jpeg_size(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, char *message);

/// Decodes to RGBA8 if the image has at most max_pixels pixels.
int signet_png_decode(const uint8_t *bytes, size_t length, uint64_t max_pixels, signet_decoded_image *image);
int signet_jpeg_decode(const uint8_t *bytes, size_t length, uint64_t max_pixels, signet_decoded_image *image);

/// Encodes RGBA8 (or RGB8 when channels is 3) as PNG; *output is freed with signet_codec_free.
int signet_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                      uint8_t **output, size_t *output_length, char *message);

void signet_codec_free(void *pointer);

#endif
