package org.vigil.crm.internal.simulate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;
import org.vigil.kernel.api.BundleLedger;

/**
 * Runs a heavy offline tool (such as {@code crm_simulate} on an admin's CIB file, whose size the node does not
 * control) in a child JVM with its own heap limit, so that no input can exhaust the node's heap. The child's class
 * path is the jars of the running revisions of the bundles it needs (the scheduler and the CRM API), taken from
 * the {@link BundleLedger} and copied once per revision into a private temporary directory, and the kernel's jar
 * (on the framework's own class path) for its API. Its standard output and error are copied to the caller's.
 *
 * <p>Thread-safe.
 */
final class ToolProcess {

    /** Heap of the child JVM: system property {@value #HEAP_PROPERTY}, default 512m. */
    static final String HEAP_PROPERTY = "vigil.tools.heap";
    /** Exit status of a child that ran out of its heap ({@code -XX:+ExitOnOutOfMemoryError}). */
    private static final int OOM_STATUS = 3;

    private final List<Bundle> bundles;
    private final BundleLedger ledger;
    private List<Path> classpath;
    private List<Version> classpathVersions;

    /** Runs tools from the jars of the running revisions of {@code bundles} (the class path, in order). */
    ToolProcess(List<Bundle> bundles, BundleLedger ledger) {
        this.bundles = List.copyOf(bundles);
        this.ledger = ledger;
    }

    private ToolProcess(List<Path> classpath, Void fixed) {
        this.bundles = List.of();
        this.ledger = null;
        this.classpath = List.copyOf(classpath);
    }

    /** Runs tools from a fixed class path (jars or classes directories: tests, or a plain JVM). */
    static ToolProcess ofClasspath(List<Path> classpath) {
        return new ToolProcess(classpath, null);
    }

    /** The bundles' running revisions as plain jar files, copied once per revision. */
    private synchronized List<Path> classpath() throws IOException {
        if (bundles.isEmpty()) {
            return classpath;
        }
        List<Version> now = bundles.stream().map(Bundle::getVersion).toList();
        if (classpath != null && now.equals(classpathVersions) && classpath.stream().allMatch(Files::exists)) {
            return classpath;
        }
        Path dir = Files.createTempDirectory("vigil-tool-");
        dir.toFile().deleteOnExit();
        List<Path> jars = new ArrayList<>();
        for (Bundle bundle : bundles) {
            BundleLedger.Revision r = ledger.current(bundle.getSymbolicName())
                .filter(x -> Version.parseVersion(x.version()).equals(bundle.getVersion()))
                .orElseThrow(() -> new IOException("the jar of " + bundle.getSymbolicName() + " "
                    + bundle.getVersion() + " is not in the bundle ledger"));
            Path f = dir.resolve(bundle.getSymbolicName() + "-" + bundle.getVersion() + ".jar");
            try (InputStream in = ledger.open(r)) {
                Files.copy(in, f, StandardCopyOption.REPLACE_EXISTING);
            }
            f.toFile().deleteOnExit();
            jars.add(f);
        }
        // the kernel's API (UsageException, thrown by the tools' option parser): the kernel's jar on the node's own
        // class path (the launcher's), else where the class was loaded from
        Path kernel = onClassPath(System.getProperty("java.class.path", ""),
            "org/vigil/kernel/api/command/UsageException.class");
        if (kernel == null) {
            kernel = codeSource(org.vigil.kernel.api.command.UsageException.class);
        }
        if (kernel != null) {
            jars.add(kernel);
        }
        classpath = List.copyOf(jars);
        classpathVersions = now;
        return classpath;
    }

    /** The entry of a class path (a directory or a jar) that holds {@code resource}, or null. */
    static Path onClassPath(String classPath, String resource) {
        for (String entry : classPath.split(java.io.File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path p = Path.of(entry);
            if (Files.isDirectory(p) && Files.isRegularFile(p.resolve(resource))) {
                return p.toAbsolutePath();
            }
            if (Files.isRegularFile(p)) {
                try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(p.toFile())) {
                    if (z.getEntry(resource) != null) {
                        return p.toAbsolutePath();
                    }
                } catch (IOException e) {
                    // not a jar
                }
            }
        }
        return null;
    }

    /** The jar or directory a class was loaded from, or null when that is not a local file. */
    static Path codeSource(Class<?> c) {
        try {
            java.security.CodeSource cs = c.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null || !"file".equals(cs.getLocation().getProtocol())) {
                return null;
            }
            return Path.of(cs.getLocation().toURI());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /**
     * Runs {@code mainClass} with {@code args} in a child JVM working in {@code cwd}.
     *
     * @return the child's exit status; a child out of memory is reported on {@code err}
     */
    int run(String tool, String mainClass, List<String> args, Path cwd, PrintStream out, PrintStream err)
        throws IOException, InterruptedException {
        return run(tool, mainClass, args, cwd, null, out, err);
    }

    /** As above, with {@code stdin} (the client's standard input, or null for none) as the child's. */
    int run(String tool, String mainClass, List<String> args, Path cwd, byte[] stdin, PrintStream out,
            PrintStream err) throws IOException, InterruptedException {
        String heap = System.getProperty(HEAP_PROPERTY, "512m");
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap, "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-XX:+ExitOnOutOfMemoryError", "-XX:-UsePerfData", "-cp",
            String.join(":", classpath().stream().map(Path::toString).toList()),
            mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        if (stdin == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process p = pb.start();
        if (stdin != null) {
            Thread feeder = new Thread(() -> {
                try (OutputStream o = p.getOutputStream()) {
                    o.write(stdin);
                } catch (IOException e) {
                    // the child stopped reading
                }
            }, "vigil-tool-stdin");
            feeder.setDaemon(true);
            feeder.start();
        }
        Thread copier = new Thread(() -> copy(p.getErrorStream(), err), "vigil-tool-stderr");
        copier.setDaemon(true);
        copier.start();
        try {
            copy(p.getInputStream(), out);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                err.println(tool + ": gave up after 10 minutes");
                return 124;
            }
            copier.join(5_000);
        } finally {
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        out.flush();
        int rc = p.exitValue();
        if (rc == OOM_STATUS) {
            err.println(tool + ": the input needs more than the " + heap + " of memory this tool may use (system "
                + "property " + HEAP_PROPERTY + " of the node); nothing in the node was affected. "
                + "Run 'vigil simulate' with VIGIL_JAVA_OPTS=-Xmx... instead");
        }
        return rc;
    }

    private static void copy(InputStream in, OutputStream to) {
        byte[] buf = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buf)) > 0) {
                synchronized (to) {
                    to.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the child or the client went away
        }
    }
}
