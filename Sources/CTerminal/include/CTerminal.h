#ifndef GATEWATCH_CTERMINAL_H
#define GATEWATCH_CTERMINAL_H
/* Signal and terminal state of the console, kept in ONE translation unit
   (terminal.c). Header-only statics would be copied into every object that
   uses them, and a handler could then set a flag the main loop never reads. */

/* Saves the terminal modes (tcgetattr on stdin) for the emergency restore. */
void gw_term_save(void);
/* Installs the stop handlers (SIGINT, SIGTERM, SIGHUP: first one sets the
   flag, a second one restores the terminal and exits 128+sig) and the crash
   handlers (restore, then die by the same signal). Clears the flag. */
void gw_term_install(void);
/* Back to the default dispositions. */
void gw_term_reset(void);
/* Builds the restore bytes (rmkx, sgr0, cnorm, rmcup) from terminfo; call after newterm. */
void gw_term_build_restore(void);
/* Whether the curses screen is up (the emergency restore only acts then). */
void gw_term_set_active(int on);
/* The first stop signal received since gw_term_install, or 0. */
int gw_term_stop_signal(void);
/* 1 when the terminal is gone: stdin hung up or in error (POLLHUP, POLLERR,
   POLLNVAL), or the tty refuses tcgetattr (EIO after a hangup). */
int gw_term_gone(void);
/* 1 when stdin has bytes (or EOF) waiting, 0 when not, -1 on error. */
int gw_term_readable(void);
/* Ends the process by this signal with its default action (so the parent
   sees e.g. 130 for SIGINT); falls back to _exit(128 + sig). */
void gw_term_die_by(int sig);
#endif
