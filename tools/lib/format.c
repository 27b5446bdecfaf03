// SPDX-License-Identifier: GPL-2.0
/*
 * libckpt: the image format's description, the module's own source
 * (checkpoint/format.c), built here too.
 */
#include "../../checkpoint/format.c"
