package org.vigil.kernel.internal.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.vigil.kernel.api.command.AdminCommand;
import org.vigil.kernel.api.command.CommandContext;
import org.vigil.kernel.internal.cmap.CmapStore;

/**
 * The admin socket answers as soon as the kernel runs, before the bundles of later start levels (the CRM) have
 * registered their commands: while the node is still starting, a command not registered yet is waited for instead
 * of being answered "unknown command" (an admin or a script that runs `vigil wait --ready` right after start).
 */
class AdminSocketStartupTest {

    private static int run(AdminSocket s, String... argv) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        return s.execute(List.of(argv), CommandContext.ofNode(), new PrintStream(new ByteArrayOutputStream()),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void aCommandRegisteredWhileTheNodeStartsIsWaitedFor() throws Exception {
        AtomicBoolean starting = new AtomicBoolean(true);
        AdminSocket s = new AdminSocket(new CmapStore(), starting::get);
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            s.addCommand("wait", (args, out, err) -> 0);
        });
        later.start();
        assertEquals(0, run(s, "wait", "--ready"), "run once its bundle registered it");
        later.join();
    }

    @Test
    void onceStartedAnUnknownCommandIsUnknownAtOnce() {
        AtomicBoolean starting = new AtomicBoolean(true);
        AdminSocket s = new AdminSocket(new CmapStore(), starting::get);
        new Thread(() -> {
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            }
            starting.set(false);   // the framework finished starting: nothing more will come
        }).start();
        assertEquals(AdminSocket.UNKNOWN_COMMAND, run(s, "frobnicate"));
        assertEquals(AdminSocket.UNKNOWN_COMMAND, run(new AdminSocket(new CmapStore()), "frobnicate"));
    }
}
