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
static inline int gw_color_pairs(void) { return COLOR_PAIRS; }
/* attr_set with an extended (int) pair number: picture cells use thousands of pairs. */
static inline int gw_attr_set_pair(int pair) { return attr_set((attr_t)0, (short)0, &pair); }
static inline int gw_init_pair(int pair, int fg, int bg) { return init_extended_pair(pair, fg, bg); }
/* Mouse clicks on (the line editor) or off (the terminal's own selection works again). */
static inline void gw_mouse(int on) {
    mousemask(on ? (BUTTON1_PRESSED | BUTTON1_CLICKED) : 0, NULL);
    mouseinterval(0);
}
/* After KEY_MOUSE: 1 and the cell when it was a left-button press or click. */
static inline int gw_read_click(int *x, int *y) {
    MEVENT ev;
    if (getmouse(&ev) != OK) return 0;
    if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))) return 0;
    *x = ev.x; *y = ev.y;
    return 1;
}
static inline int gw_lines(void) { return getmaxy(stdscr); }
static inline int gw_cols(void) { return getmaxx(stdscr); }
static inline int gw_is_utf8(void) {
    const char *cs = nl_langinfo(CODESET);
    return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

/* Signal handling and the emergency terminal restore live in the CTerminal target
   (one .c file): statics in this header would be copied into each user. */
#endif
