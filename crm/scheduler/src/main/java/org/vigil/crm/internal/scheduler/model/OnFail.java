package org.vigil.crm.internal.scheduler.model;

/**
 * What to do when an operation fails, in Pacemaker's enum order (which its comparisons rely on).
 *
 * <p>Follows {@code enum action_fail_response} (include/crm/pengine/common.h).
 */
public enum OnFail {
    IGNORE, RECOVER, MIGRATE, BLOCK, STOP, STANDBY, FENCE, RESTART_CONTAINER, RESET_REMOTE, DEMOTE;

    /**
     * Pacemaker's cmp_on_fail: negative when {@code second} is more severe than {@code first}. The last three
     * values are out of numeric order and ranked explicitly.
     *
     * <p>Follows {@code cmp_on_fail()} in lib/pengine/unpack.c.
     */
    public static int compare(OnFail first, OnFail second) {
        switch (first) {
            case DEMOTE:
                switch (second) {
                    case IGNORE:
                        return 1;
                    case DEMOTE:
                        return 0;
                    default:
                        return -1;
                }
            case RESET_REMOTE:
                switch (second) {
                    case IGNORE, DEMOTE, RECOVER:
                        return 1;
                    case RESET_REMOTE:
                        return 0;
                    default:
                        return -1;
                }
            case RESTART_CONTAINER:
                switch (second) {
                    case IGNORE, DEMOTE, RECOVER, RESET_REMOTE:
                        return 1;
                    case RESTART_CONTAINER:
                        return 0;
                    default:
                        return -1;
                }
            default:
                break;
        }
        switch (second) {
            case DEMOTE:
                return first == IGNORE ? -1 : 1;
            case RESET_REMOTE:
                switch (first) {
                    case IGNORE, DEMOTE, RECOVER:
                        return -1;
                    default:
                        return 1;
                }
            case RESTART_CONTAINER:
                switch (first) {
                    case IGNORE, DEMOTE, RECOVER, RESET_REMOTE:
                        return -1;
                    default:
                        return 1;
                }
            default:
                break;
        }
        return first.ordinal() - second.ordinal();
    }
}
