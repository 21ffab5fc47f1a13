package org.vigil.agents.internal.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.vigil.agents.internal.SystemTests;

/** Which runner helper runs the agents: native where the build has it, Python otherwise or when asked. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RunnerChoiceTest {

    private static ProcessSpec echo(String text) {
        return new ProcessSpec(List.of("/bin/echo", text), Map.of(), null, null, Duration.ofSeconds(10),
            Duration.ofMillis(500), 4096);
    }

    private static boolean compilerPresent() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "command -v cc").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }

    /** A "native helper" that cannot run (ProcessBuilder even retries it with /bin/sh, which fails too). */
    private static java.net.URL notABinary(Path dir) throws Exception {
        Path f = dir.resolve("vigil-runner");
        Files.writeString(f, "\u0001\u0002 this is not an executable format\n");
        return f.toUri().toURL();
    }

    private static String exe(long pid) throws Exception {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/exe")).toString();
    }

    @Test
    void theNativeHelperIsBuiltAndUsedWhereACompilerIsPresent() throws Exception {
        // The build compiles src/main/c/vigil-runner.c whenever `cc` is there; this machine built these classes.
        SystemTests.require(compilerPresent(), "no C compiler (cc): the build has no native helper");
        assertNotNull(AgentRunner.class.getResource("native/" + AgentRunner.platform() + "/vigil-runner"),
            "a C compiler is present but the bundle has no native helper for " + AgentRunner.platform());
        AgentRunner r = new AgentRunner(null);
        try {
            assertEquals(AgentRunner.Helper.NATIVE, r.helper());
            assertEquals("native\n", r.run(echo("native")).outcome().get(20, TimeUnit.SECONDS).stdoutText());
            assertEquals(AgentRunner.Helper.NATIVE, r.helper());
            Path bin = r.nativeBinaryPath();
            assertTrue(exe(r.helperPid()).startsWith(bin.toString()), exe(r.helperPid()));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bin)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bin.getParent())));
            r.close();
            assertFalse(Files.exists(bin), "the extracted helper is removed on close");
            assertFalse(Files.exists(bin.getParent()));
            // A caller still holding the closed runner is served by a one-shot helper, copied out again.
            assertEquals("late\n", r.run(echo("late")).outcome().get(20, TimeUnit.SECONDS).stdoutText());
        } finally {
            r.close();
        }
    }

    @Test
    void pythonIsUsedWhenAsked() throws Exception {
        AgentRunner r = new AgentRunner(null, "python");
        SystemTests.require(r.available(), r.unavailableReason());
        try {
            assertEquals(AgentRunner.Helper.PYTHON, r.helper());
            assertEquals("py\n", r.run(echo("py")).outcome().get(20, TimeUnit.SECONDS).stdoutText());
            assertTrue(exe(r.helperPid()).contains("python"), exe(r.helperPid()));
            assertEquals(null, r.nativeBinaryPath());
        } finally {
            r.close();
        }
    }

    @Test
    void autoFallsBackToPythonWhenTheNativeHelperCannotBeExecuted(@TempDir Path dir) throws Exception {
        AgentRunner r = new AgentRunner(null, "auto", notABinary(dir));
        SystemTests.require(r.python() != null, "python3 is needed for the fallback");
        try {
            assertEquals(AgentRunner.Helper.NATIVE, r.helper());
            ProcessOutcome o = r.run(echo("fell back")).outcome().get(20, TimeUnit.SECONDS);
            assertEquals(Ending.EXITED, o.ending(), o.message());
            assertEquals("fell back\n", o.stdoutText());
            assertEquals(AgentRunner.Helper.PYTHON, r.helper());
        } finally {
            r.close();
        }
    }

    @Test
    void nativeOnlyFailsClearlyWhenTheHelperCannotBeExecuted(@TempDir Path dir) throws Exception {
        AgentRunner r = new AgentRunner(null, "native", notABinary(dir));
        try {
            ProcessOutcome o = r.run(echo("x")).outcome().get(20, TimeUnit.SECONDS);
            assertEquals(Ending.NOT_STARTED, o.ending());
            assertTrue(o.message().contains("native helper"), o.message());
        } finally {
            r.close();
        }
        AgentRunner none = new AgentRunner(null, "native", null);
        assertFalse(none.available());
        assertTrue(none.unavailableReason().contains("without a C compiler"), none.unavailableReason());
        ProcessOutcome o = none.run(echo("x")).outcome().get(5, TimeUnit.SECONDS);
        assertEquals(Ending.NOT_STARTED, o.ending());
    }

    @Test
    void anUnknownChoiceIsRefusedNamingTheProperty() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AgentRunner(null, "perl"));
        assertTrue(e.getMessage().contains("vigil.agents.runner"), e.getMessage());
    }
}
