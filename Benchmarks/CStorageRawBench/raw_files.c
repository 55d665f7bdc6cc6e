#include "CStorageRawBench.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

veritas_sqlite_result veritas_raw_file_writes(const char *directory, uint64_t count, size_t size) {
    veritas_sqlite_result r = {0, 0, 0};
    char *buffer = malloc(size ? size : 1);
    char temporary[4096], final[4096];
    if (buffer == NULL) { r.error = ENOMEM; return r; }
    memset(buffer, 0x5A, size);
    int folder = open(directory, O_RDONLY | O_DIRECTORY);
    if (folder < 0) { r.error = errno; free(buffer); return r; }
    double start = seconds_now();
    for (uint64_t i = 0; i < count; i++) {
        snprintf(temporary, sizeof temporary, "%s/.%llu.tmp", directory, (unsigned long long)i);
        snprintf(final, sizeof final, "%s/%llu.png", directory, (unsigned long long)i);
        int fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0644);
        if (fd < 0) { r.error = errno; break; }
        size_t written = 0;
        while (written < size) {
            ssize_t n = write(fd, buffer + written, size - written);
            if (n < 0) { if (errno == EINTR) continue; r.error = errno; break; }
            written += (size_t)n;
        }
        if (r.error == 0 && fsync(fd) != 0) r.error = errno;
        close(fd);
        if (r.error == 0 && rename(temporary, final) != 0) r.error = errno;
        if (r.error == 0 && fsync(folder) != 0) r.error = errno;
        if (r.error != 0) break;
        r.rows++;
    }
    r.seconds = seconds_now() - start;
    close(folder);
    free(buffer);
    return r;
}
