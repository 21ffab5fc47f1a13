package org.vigil.crm.controller.internal;

/**
 * A decoded {@code transition-key}: {@code ACTION_ID:TRANSITION_ID:TARGET_RC:TE_UUID}
 * ({@code lib/common/operations.c}: {@code pcmk__transition_key}, {@code decode_transition_key}).
 */
record TransitionKey(int action, int transition, int targetRc, String teUuid) {

    /** The key of results from outside any transition. */
    static final String FAKE_TE_UUID = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    /** Decodes a key; null if it is not one ({@code decode_transition_key()} logs and fails the same inputs). */
    static TransitionKey parse(String key) {
        if (key == null) {
            return null;
        }
        String[] p = key.split(":", 4);
        if (p.length != 4 || p[3].isEmpty()) {
            return null;
        }
        try {
            return new TransitionKey(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]), p[3]);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String of(int action, int transition, int targetRc, String teUuid) {
        return action + ":" + transition + ":" + targetRc + ":" + teUuid;
    }
}
