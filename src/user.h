/* user: `blogd user add|passwd|list|remove`, the authors' accounts. */
#ifndef BLOGD_USER_H
#define BLOGD_USER_H

/* argv[0] is "user". Returns the process's exit status. */
int user_main(int argc, char **argv);

#endif
