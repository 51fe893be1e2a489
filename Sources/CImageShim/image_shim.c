#include "image_shim.h"
int vitrine_image_shim_version(void) { return 1; }
