package org.vigil.crm.controller.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CpgOutboxTest {

    private final List<String> sent = new ArrayList<>();
    private final List<Runnable> retries = new ArrayList<>();
    private boolean refusing;

    private CpgOutbox outbox(int limit) {
        return new CpgOutbox(m -> {
            if (refusing) {
                return false;
            }
            sent.add(new String(m));
            return true;
        }, retries::add, limit);
    }

    private void runRetries() {
        List<Runnable> r = new ArrayList<>(retries);
        retries.clear();
        r.forEach(Runnable::run);
    }

    @Test
    void whatCpgRefusesIsSentLaterInOrderAndNothingOvertakesIt() {
        CpgOutbox o = outbox(100);
        o.send("join".getBytes());
        refusing = true;
        o.send("vote".getBytes());
        o.send("action".getBytes());
        assertEquals(List.of("join"), sent);
        assertEquals(2, o.waiting());
        assertEquals(1, retries.size(), "one retry scheduled, not one per message");
        runRetries();
        assertEquals(1, retries.size(), "still refused: tried again later");
        refusing = false;
        o.send("confirm".getBytes());   // goes after those waiting, not before
        assertEquals(List.of("join", "vote", "action", "confirm"), sent);
        runRetries();
        assertEquals(List.of("join", "vote", "action", "confirm"), sent);
        assertEquals(0, o.waiting());
    }

    @Test
    void pastTheLimitTheOldestGoes() {
        CpgOutbox o = outbox(2);
        refusing = true;
        o.send("a".getBytes());
        o.send("b".getBytes());
        o.send("c".getBytes());
        assertEquals(1, o.dropped());
        refusing = false;
        runRetries();
        assertEquals(List.of("b", "c"), sent);
    }
}
