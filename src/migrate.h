/* migrate: `blogd migrate`, applying sql/NNN_*.sql the database has not had, and seeding. */
#ifndef BLOGD_MIGRATE_H
#define BLOGD_MIGRATE_H

/* argv[0] is "migrate". Returns the process's exit status. */
int migrate_main(int argc, char **argv);

#endif
