#ifndef GATEWATCH_CCURSES_SHIM_H
#define GATEWATCH_CCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <ncursesw/curses.h>
#include <ncursesw/term.h>

/* Function forms of ncurses macros Swift cannot import. */
static inline int gw_color_pair(int n) { return (int)COLOR_PAIR(n); }
static inline unsigned int gw_a_bold(void) { return (unsigned int)A_BOLD; }
static inline unsigned int gw_a_dim(void) { return (unsigned int)A_DIM; }
static inline unsigned int gw_a_reverse(void) { return (unsigned int)A_REVERSE; }
static inline unsigned int gw_a_underline(void) { return (unsigned int)A_UNDERLINE; }
static inline int gw_colors(void) { return COLORS; }
static inline int gw_lines(void) { return getmaxy(stdscr); }
static inline int gw_cols(void) { return getmaxx(stdscr); }
static inline int gw_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Terminal restoration that is safe inside a signal handler: only write(2),
   tcsetattr(3) (both async-signal-safe) on state prepared before the handlers
   were armed. Stop signals just set a flag the main loop polls (getch times out
   every 250 ms and is interrupted by the signal), so endwin() runs on the main
   thread; a second stop signal, or a crash, restores directly and exits. */
/* Storage as function-local statics: Swift's importer emits these with the functions. */
static inline struct termios *gw_termios_slot(void) { static struct termios t; return &t; }
static inline char *gw_restore_buf(void) { static char b[256]; return b; }
#define gw_saved_termios (*gw_termios_slot())
#define gw_restore_seq (gw_restore_buf())
static volatile sig_atomic_t gw_saved_ok = 0;
static volatile sig_atomic_t gw_restore_len = 0;
static volatile sig_atomic_t gw_stop_signal = 0;
static volatile sig_atomic_t gw_screen_active = 0;

static inline void gw_emergency_restore(void) {
    if (!gw_screen_active) return;
    gw_screen_active = 0;
    if (gw_restore_len > 0) { ssize_t r = write(STDOUT_FILENO, gw_restore_seq, (size_t)gw_restore_len); (void)r; }
    if (gw_saved_ok) tcsetattr(STDIN_FILENO, TCSANOW, &gw_saved_termios);
}
static void gw_on_stop(int sig) {
    if (gw_stop_signal) { gw_emergency_restore(); _exit(128 + sig); }
    gw_stop_signal = sig;
}
static void gw_on_crash(int sig) {
    gw_emergency_restore();
    signal(sig, SIG_DFL);
    raise(sig);
}
static inline void gw_save_termios(void) { gw_saved_ok = tcgetattr(STDIN_FILENO, &gw_saved_termios) == 0; }
static inline void gw_install_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = gw_on_stop;   /* no SA_RESTART: getch returns at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = gw_on_crash;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGABRT, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
}
static inline void gw_reset_signals(void) {
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) signal(sigs[i], SIG_DFL);
}
static inline int gw_stop_requested(void) { return gw_stop_signal; }
static inline void gw_clear_stop(void) { gw_stop_signal = 0; }
static inline void gw_set_screen_active(int on) { gw_screen_active = on; }
/* Builds the restore bytes from terminfo (sgr0, cnorm, rmcup) after newterm. */
static inline void gw_build_restore(void) {
    const char *caps[] = {"sgr0", "cnorm", "rmcup"};
    size_t n = 0;
    for (unsigned i = 0; i < 3; i++) {
        char *s = tigetstr((char *)caps[i]);
        if (s == NULL || s == (char *)-1) continue;
        size_t l = strlen(s);
        if (n + l >= 256) break;
        memcpy(gw_restore_seq + n, s, l);
        n += l;
    }
    gw_restore_len = (sig_atomic_t)n;
}
#endif
