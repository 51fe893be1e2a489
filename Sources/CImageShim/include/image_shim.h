#pragma once
/// Error-safe wrappers around libjpeg and libpng (setjmp stays in C).
int vitrine_image_shim_version(void);
