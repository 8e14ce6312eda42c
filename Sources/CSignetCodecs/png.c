#include "signet_codecs.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_message(char *message, const char *text) {
    snprintf(message, SIGNET_CODEC_MESSAGE_SIZE, "%s", text);
}

int signet_png_size(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, char *message) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes, length)) {
        copy_message(message, image.message);
        return 1;
    }
    *width = image.width;
    *height = image.height;
    png_image_free(&image);
    return 0;
}

int signet_png_decode(const uint8_t *bytes, size_t length, uint64_t max_pixels, signet_decoded_image *out) {
    png_image image;
    memset(&image, 0, sizeof image);
    memset(out, 0, sizeof *out);
    image.version = PNG_IMAGE_VERSION;
    if (!png_image_begin_read_from_memory(&image, bytes, length)) {
        copy_message(out->message, image.message);
        return 1;
    }
    if ((uint64_t)image.width * image.height > max_pixels) {
        snprintf(out->message, SIGNET_CODEC_MESSAGE_SIZE, "%ux%u pixels is more than the limit of %llu",
                 image.width, image.height, (unsigned long long)max_pixels);
        png_image_free(&image);
        return 2;
    }
    image.format = PNG_FORMAT_RGBA;
    // Without a gAMA or sRGB chunk libpng takes 16-bit samples as linear light; image editors
    // write them sRGB-encoded, as 8-bit files are. Read them that way.
    image.flags |= PNG_IMAGE_FLAG_16BIT_sRGB;
    size_t size = PNG_IMAGE_SIZE(image);
    uint8_t *pixels = malloc(size);
    if (pixels == NULL) {
        copy_message(out->message, "out of memory");
        png_image_free(&image);
        return 3;
    }
    if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        copy_message(out->message, image.message);
        free(pixels);
        png_image_free(&image);
        return 1;
    }
    out->width = image.width;
    out->height = image.height;
    out->pixels = pixels;
    png_image_free(&image);
    return 0;
}

int signet_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, int channels,
                      uint8_t **output, size_t *output_length, char *message) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = width;
    image.height = height;
    image.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
    png_alloc_size_t size = 0;
    if (!png_image_write_get_memory_size(image, size, 0, pixels, 0, NULL)) {
        copy_message(message, image.message);
        return 1;
    }
    uint8_t *buffer = malloc(size);
    if (buffer == NULL) {
        copy_message(message, "out of memory");
        return 3;
    }
    if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, NULL)) {
        copy_message(message, image.message);
        free(buffer);
        return 1;
    }
    *output = buffer;
    *output_length = size;
    return 0;
}

void signet_codec_free(void *pointer) { free(pointer); }
