#include "signet_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

// libjpeg's default error handler exits the process; this one jumps back with the message.
typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} error_manager;

static void on_error(j_common_ptr info) {
    error_manager *errors = (error_manager *)info->err;
    char text[JMSG_LENGTH_MAX];
    errors->base.format_message(info, text);
    snprintf(errors->message, SIGNET_CODEC_MESSAGE_SIZE, "%s", text);
    longjmp(errors->jump, 1);
}

// Corrupt-data warnings (a truncated file, bad Huffman codes) are errors for us: we show only
// images that decode cleanly.
static void on_message(j_common_ptr info, int level) {
    if (level < 0) on_error(info);
}

static int read_header(struct jpeg_decompress_struct *info, error_manager *errors, const uint8_t *bytes,
                       size_t length, char *message) {
    info->err = jpeg_std_error(&errors->base);
    errors->base.error_exit = on_error;
    errors->base.emit_message = on_message;
    errors->message = message;
    jpeg_create_decompress(info);
    jpeg_mem_src(info, bytes, (unsigned long)length);
    jpeg_read_header(info, TRUE);
    return 0;
}

int signet_jpeg_size(const uint8_t *bytes, size_t length, uint32_t *width, uint32_t *height, char *message) {
    struct jpeg_decompress_struct info;
    error_manager errors;
    memset(&info, 0, sizeof info);
    if (setjmp(errors.jump)) {
        jpeg_destroy_decompress(&info);
        return 1;
    }
    read_header(&info, &errors, bytes, length, message);
    *width = info.image_width;
    *height = info.image_height;
    jpeg_destroy_decompress(&info);
    return 0;
}

int signet_jpeg_decode(const uint8_t *bytes, size_t length, uint64_t max_pixels, signet_decoded_image *out) {
    struct jpeg_decompress_struct info;
    error_manager errors;
    uint8_t *volatile pixels = NULL;
    memset(&info, 0, sizeof info);
    memset(out, 0, sizeof *out);
    if (setjmp(errors.jump)) {
        free(pixels);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    read_header(&info, &errors, bytes, length, out->message);
    if ((uint64_t)info.image_width * info.image_height > max_pixels) {
        snprintf(out->message, SIGNET_CODEC_MESSAGE_SIZE, "%ux%u pixels is more than the limit of %llu",
                 info.image_width, info.image_height, (unsigned long long)max_pixels);
        jpeg_destroy_decompress(&info);
        return 2;
    }
    info.out_color_space = JCS_EXT_RGBA;  // libjpeg-turbo: RGBA straight from the decoder
    jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 4;
    pixels = malloc(stride * info.output_height);
    if (pixels == NULL) {
        snprintf(out->message, SIGNET_CODEC_MESSAGE_SIZE, "out of memory");
        jpeg_destroy_decompress(&info);
        return 3;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        jpeg_read_scanlines(&info, &row, 1);
    }
    jpeg_finish_decompress(&info);
    out->width = info.output_width;
    out->height = info.output_height;
    out->pixels = pixels;
    jpeg_destroy_decompress(&info);
    return 0;
}
