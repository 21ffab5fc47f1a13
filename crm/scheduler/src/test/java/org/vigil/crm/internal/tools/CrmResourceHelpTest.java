package org.vigil.crm.internal.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrmResourceHelpTest {

    @Test
    void helpListsTheClusterCommandsItself() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = new CrmResourceCommand(null, null, null, ToolClock.SYSTEM).execute(List.of("--help"),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        String text = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc, err.toString(StandardCharsets.UTF_8));
        for (String o : List.of("--move", "--locate", "--ban", "--clear", "--cleanup", "--why", "--set-parameter",
            "--constraints", "--stack", "--delete", "--resource-type",
            "--fail", "--expired", "--digests")) {
            assertTrue(text.contains(o), o + " in:\n" + text);
        }
    }
}
