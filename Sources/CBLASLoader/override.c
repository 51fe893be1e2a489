// The process-wide override of OpenBLAS's thread count (see cblas_loader.h): NeuralNet runs its independent small
// products on its own threads with OpenBLAS single-threaded, VectorSearch its query blocks, and with `--jobs` both
// may do so at once.
#include "cblas_loader.h"

void vitrine_override_init(vitrine_override *o, int (*read)(void), void (*write)(int)) {
    pthread_mutex_init(&o->lock, NULL);
    o->holders = 0; o->saved = 0; o->read = read; o->write = write;
}

void vitrine_override_enter(vitrine_override *o, int value) {
    pthread_mutex_lock(&o->lock);
    if (o->holders++ == 0) { o->saved = o->read(); o->write(value); }
    pthread_mutex_unlock(&o->lock);
}

void vitrine_override_leave(vitrine_override *o) {
    pthread_mutex_lock(&o->lock);
    if (--o->holders == 0) o->write(o->saved);
    pthread_mutex_unlock(&o->lock);
}

static vitrine_override threads_override;
static pthread_once_t threads_once = PTHREAD_ONCE_INIT;

static void init_threads_override(void) {
    vitrine_override_init(&threads_override, openblas_get_num_threads, openblas_set_num_threads);
}

vitrine_override *vitrine_openblas_threads(void) {
    pthread_once(&threads_once, init_threads_override);
    return &threads_override;
}
