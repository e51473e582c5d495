#ifndef GATEWATCH_CCURSES_SHIM_H
#define GATEWATCH_CCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <stdio.h>
#include <string.h>
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

/* Signal handling and the emergency terminal restore live in the CTerminal target
   (one .c file): statics in this header would be copied into each user. */
#endif
