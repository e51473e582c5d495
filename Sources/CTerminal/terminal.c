#define _XOPEN_SOURCE_EXTENDED 1
#define _DEFAULT_SOURCE 1
#include "CTerminal.h"
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

/* Only write(2) and tcsetattr(3) (async-signal-safe) run inside a handler,
   on state prepared before the handlers were armed. */
static struct termios saved_termios;
static volatile sig_atomic_t saved_ok = 0;
static char restore_seq[256];
static volatile sig_atomic_t restore_len = 0;
static volatile sig_atomic_t stop_signal = 0;
static volatile sig_atomic_t screen_active = 0;

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void emergency_restore(void) {
    if (!screen_active) return;
    screen_active = 0;
    if (restore_len > 0) { ssize_t r = write(STDOUT_FILENO, restore_seq, (size_t)restore_len); (void)r; }
    if (saved_ok) tcsetattr(STDIN_FILENO, TCSANOW, &saved_termios);
}

/* First stop signal: set the flag; the main loop (getch returns at once, no
   SA_RESTART) runs endwin. A second one while the first is pending: restore
   here and exit, for a console stuck somewhere. */
static void on_stop(int sig) {
    if (stop_signal) { emergency_restore(); _exit(128 + sig); }
    stop_signal = sig;
}

static void on_crash(int sig) {
    emergency_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}

void gw_term_save(void) { saved_ok = tcgetattr(STDIN_FILENO, &saved_termios) == 0; }

void gw_term_install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    stop_signal = 0;
    sa.sa_handler = on_stop;
    for (unsigned i = 0; i < COUNT(stop_signals); i++) sigaction(stop_signals[i], &sa, NULL);
    sa.sa_handler = on_crash;
    sa.sa_flags = SA_RESETHAND;
    for (unsigned i = 0; i < COUNT(crash_signals); i++) sigaction(crash_signals[i], &sa, NULL);
    /* The stop signals may have been blocked by whoever started us. */
    sigset_t set;
    sigemptyset(&set);
    for (unsigned i = 0; i < COUNT(stop_signals); i++) sigaddset(&set, stop_signals[i]);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void gw_term_reset(void) {
    for (unsigned i = 0; i < COUNT(stop_signals); i++) signal(stop_signals[i], SIG_DFL);
    for (unsigned i = 0; i < COUNT(crash_signals); i++) signal(crash_signals[i], SIG_DFL);
}

void gw_term_build_restore(void) {
    const char *caps[] = {"rmkx", "sgr0", "cnorm", "rmcup"};
    size_t n = 0;
    for (unsigned i = 0; i < COUNT(caps); i++) {
        char *s = tigetstr((char *)caps[i]);
        if (s == NULL || s == (char *)-1) continue;
        size_t l = strlen(s);
        if (n + l >= sizeof restore_seq) break;
        memcpy(restore_seq + n, s, l);
        n += l;
    }
    restore_len = (sig_atomic_t)n;
}

void gw_term_set_active(int on) { screen_active = on; }

int gw_term_stop_signal(void) { return stop_signal; }

int gw_term_gone(void) {
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN, .revents = 0};
    if (poll(&p, 1, 0) < 0 && errno != EINTR) return 1;
    if (p.revents & (POLLHUP | POLLERR | POLLNVAL)) return 1;
    struct termios t;
    if (tcgetattr(STDIN_FILENO, &t) != 0 && errno != EINTR) return 1;
    return 0;
}

int gw_term_readable(void) {
    struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN, .revents = 0};
    int r = poll(&p, 1, 0);
    if (r < 0) return errno == EINTR ? 0 : -1;
    return r > 0 && (p.revents & POLLIN) ? 1 : 0;
}

void gw_term_die_by(int sig) {
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}
