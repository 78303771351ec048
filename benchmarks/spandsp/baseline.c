/* SpanDSP 0.0.6 (Debian libspandsp-dev) baseline, measured in the same run as ours.
 *
 * usage: baseline KERNEL BLOCK CHANNELS NEAR.raw [FAR.raw]
 *   KERNEL: dtmf | r2_forward | r2_backward | tones_cn | echo128
 *   NEAR.raw / FAR.raw: mono 16-bit little-endian 8 kHz samples.
 * Runs CHANNELS independent detectors (or cancellers) over the input, BLOCK samples
 * per channel per turn, as a media thread would, and prints on stderr:
 *   ns_per_sample=<f> channels_per_core=<f> events=<n>
 * stdout is sent to /dev/null because SpanDSP 0.0.6's echo canceller prints debug text
 * from echo_can_update(); that cost is part of the library as shipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <spandsp.h>

static long events;

static void on_digits(void *user, const char *digits, int len) { (void) user; (void) digits; events += len; }
static void on_tone(void *user, int code, int level, int delay) { (void) user; (void) level; (void) delay; if (code > 0) events++; }

static int16_t *load(const char *path, long *n) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long bytes = ftell(f);
    fseek(f, 0, SEEK_SET);
    int16_t *buf = malloc(bytes);
    if (fread(buf, 1, bytes, f) != (size_t) bytes) { perror(path); exit(2); }
    fclose(f);
    *n = bytes / 2;
    return buf;
}

/* China's call-progress tones (YD/T 1970 cadences), +-10 % on the cadence. */
static super_tone_rx_descriptor_t *cn_tones(void) {
    super_tone_rx_descriptor_t *d = super_tone_rx_make_descriptor(NULL);
    int t;
    t = super_tone_rx_add_tone(d);                       /* dial: continuous */
    super_tone_rx_add_element(d, t, 450, 0, 1000, 0);
    t = super_tone_rx_add_tone(d);                       /* busy 0.35/0.35 */
    super_tone_rx_add_element(d, t, 450, 0, 315, 385);
    super_tone_rx_add_element(d, t, 0, 0, 315, 385);
    t = super_tone_rx_add_tone(d);                       /* congestion 0.7/0.7 */
    super_tone_rx_add_element(d, t, 450, 0, 630, 770);
    super_tone_rx_add_element(d, t, 0, 0, 630, 770);
    t = super_tone_rx_add_tone(d);                       /* ringback 1/4 */
    super_tone_rx_add_element(d, t, 450, 0, 900, 1100);
    super_tone_rx_add_element(d, t, 0, 0, 3600, 4400);
    return d;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: %s KERNEL BLOCK CHANNELS NEAR.raw [FAR.raw]\n", argv[0]); return 2; }
    const char *kernel = argv[1];
    int block = atoi(argv[2]);
    int channels = atoi(argv[3]);
    long n, nfar = 0;
    int16_t *near = load(argv[4], &n);
    int16_t *far = argc > 5 ? load(argv[5], &nfar) : NULL;
    if (!freopen("/dev/null", "w", stdout)) return 2;

    void **state = calloc(channels, sizeof(void *));
    super_tone_rx_descriptor_t *desc = NULL;
    int echo = strcmp(kernel, "echo128") == 0;
    if (echo && (!far || nfar < n)) { fprintf(stderr, "echo128 needs FAR.raw as long as NEAR.raw\n"); return 2; }
    for (int c = 0; c < channels; c++) {
        if (strcmp(kernel, "dtmf") == 0) state[c] = dtmf_rx_init(NULL, on_digits, NULL);
        else if (strcmp(kernel, "r2_forward") == 0) state[c] = r2_mf_rx_init(NULL, 1, on_tone, NULL);
        else if (strcmp(kernel, "r2_backward") == 0) state[c] = r2_mf_rx_init(NULL, 0, on_tone, NULL);
        else if (strcmp(kernel, "tones_cn") == 0) {
            if (!desc) desc = cn_tones();
            state[c] = super_tone_rx_init(NULL, desc, on_tone, NULL);
        } else if (echo) state[c] = echo_can_init(1024, ECHO_CAN_USE_ADAPTION);
        else { fprintf(stderr, "unknown kernel %s\n", kernel); return 2; }
    }
    int16_t *out = malloc(sizeof(int16_t) * block);
    long blocks = n / block;
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    for (long b = 0; b < blocks; b++) {
        for (int c = 0; c < channels; c++) {
            /* Each channel reads the input at its own offset, so channels differ. */
            long start = ((b + (long) c * 997) % blocks) * block;
            const int16_t *in = near + start;
            if (strcmp(kernel, "dtmf") == 0) dtmf_rx(state[c], in, block);
            else if (kernel[0] == 'r') r2_mf_rx(state[c], in, block);
            else if (kernel[0] == 't') super_tone_rx(state[c], in, block);
            else for (int i = 0; i < block; i++) out[i] = echo_can_update(state[c], far[start + i], in[i]);
        }
    }
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
    double seconds = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    double samples = (double) blocks * block * channels;
    double ns = seconds * 1e9 / samples;
    fprintf(stderr, "ns_per_sample=%.3f channels_per_core=%.1f events=%ld\n", ns, 1e9 / (ns * 8000.0), events + out[0] * 0);
    return 0;
}
