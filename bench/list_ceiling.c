/* The ceiling for `GET /api/v1/agents?limit=20` (bench/full_deployment.py): the one SQL
 * statement a list request runs (the agents plugin's page query, its COUNT in a subquery),
 * from THREADS reader threads with a connection and a prepared statement each, stepping every
 * row and reading every column, as fast as they can for SECONDS. Prints statements per second.
 *
 *   cc -O2 -pthread bench/list_ceiling.c -lsqlite3 -o list_ceiling
 *   ./list_ceiling DB OWNER_ID THREADS SECONDS */
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *SQL =
    "SELECT id, owner_id, name, agent_type, description, system_prompt, state, model_provider, model_id, "
    "tools, metadata, message_count, last_active_at, created_at, updated_at, "
    "(SELECT COUNT(*) FROM agents_agents WHERE owner_id = ?) AS total "
    "FROM agents_agents WHERE owner_id = ? ORDER BY created_at ASC, id ASC LIMIT ? OFFSET ?";

static const char *database, *owner;
static double seconds;
static atomic_long statements;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void *reader(void *unused) {
    (void)unused;
    sqlite3 *db;
    sqlite3_stmt *statement;
    if (sqlite3_open_v2(database, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(db, SQL, -1, SQLITE_PREPARE_PERSISTENT, &statement, NULL) != SQLITE_OK) {
        fprintf(stderr, "list_ceiling: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    long done = 0;
    size_t bytes = 0;
    double end = now() + seconds;
    while (now() < end) {
        sqlite3_bind_text(statement, 1, owner, -1, SQLITE_STATIC);
        sqlite3_bind_text(statement, 2, owner, -1, SQLITE_STATIC);
        sqlite3_bind_int64(statement, 3, 20);
        sqlite3_bind_int64(statement, 4, 0);
        while (sqlite3_step(statement) == SQLITE_ROW) {
            for (int column = 0; column < sqlite3_column_count(statement); column++) {
                if (sqlite3_column_type(statement, column) == SQLITE_TEXT) bytes += sqlite3_column_bytes(statement, column);
            }
        }
        sqlite3_reset(statement);
        done++;
    }
    if (bytes == 0) fprintf(stderr, "list_ceiling: no rows for that owner\n");
    atomic_fetch_add(&statements, done);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: list_ceiling DB OWNER_ID THREADS SECONDS\n");
        return 2;
    }
    database = argv[1];
    owner = argv[2];
    int threads = atoi(argv[3]);
    seconds = atof(argv[4]);
    pthread_t ids[64];
    if (threads < 1 || threads > 64) return 2;
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, reader, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    printf("%.0f\n", atomic_load(&statements) / seconds);
    return 0;
}
