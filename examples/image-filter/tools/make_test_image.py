#!/usr/bin/env python3
"""Generates examples/image-filter/assets/test-image.png, the example's
shipped input: a 128x96 RGBA image with smooth gradients (which a blur
barely changes) and hard-edged shapes (which the edge filter finds).

Standard library only. Run from anywhere:
    python3 examples/image-filter/tools/make_test_image.py
"""

import math
import os
import struct
import zlib

WIDTH, HEIGHT = 128, 96


def pixel(x, y):
    # Background: a diagonal gradient.
    r = int(40 + 150 * x / (WIDTH - 1))
    g = int(60 + 120 * y / (HEIGHT - 1))
    b = int(200 - 120 * (x + y) / (WIDTH + HEIGHT - 2))
    # A red disc.
    if (x - 36) ** 2 + (y - 40) ** 2 <= 22 ** 2:
        r, g, b = 220, 40, 50
    # A yellow square rotated by 30 degrees.
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    u, v = (x - 90) * c + (y - 56) * s, -(x - 90) * s + (y - 56) * c
    if abs(u) <= 16 and abs(v) <= 16:
        r, g, b = 240, 220, 60
    # Black and white stripes along the bottom.
    if y >= 82 and 8 <= x < 120:
        r = g = b = 250 if (x // 4) % 2 == 0 else 10
    return bytes((r, g, b, 255))


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    rows = b"".join(b"\x00" + b"".join(pixel(x, y) for x in range(WIDTH)) for y in range(HEIGHT))
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", WIDTH, HEIGHT, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(rows, 9))
    png += chunk(b"IEND", b"")
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "assets", "test-image.png")
    with open(out, "wb") as f:
        f.write(png)
    print(f"wrote {os.path.normpath(out)} ({WIDTH}x{HEIGHT}, {len(png)} bytes)")


if __name__ == "__main__":
    main()
