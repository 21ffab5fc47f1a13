import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.osgi.Builder;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import aQute.bnd.service.diff.Delta;
import aQute.bnd.service.diff.Diff;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Semantic versioning of the exported packages, checked at build time against a recorded commit (bnd baselining
 * without a released artifact): the commit named in {@code cnf/baseline/commit} is the baseline; this module's
 * exported packages at that commit are compiled from git into a bundle (cached under the root's
 * {@code target/baseline/COMMIT/}), and bnd's {@link Baseline} compares the bundle just built with it. A package
 * whose change needs a higher version than the one it declares (a removed method needs a major bump, an added one a
 * minor bump) fails the build, with bnd's suggested version and the changes.
 *
 * <p>Run by the {@code baseline} execution of maven-antrun-plugin in the {@code verify} phase of every module with
 * exported packages (kernel, crm/api), compiled into the root's {@code target/baseline/tool} and run on bndlib's
 * class path: {@code java -cp TOOL:BNDLIB BaselineCheck ROOT MODULE_DIR NEW_JAR COMPILE_CLASSPATH} (or as a
 * single-file program: {@code java -cp BNDLIB cnf/baseline/BaselineCheck.java ...}).
 * Skipped with {@code -Dvigil.baseline.skip=true}.
 */
public class BaselineCheck {

    private static final Pattern EXPORT = Pattern.compile("^@(org\\.osgi\\.annotation\\.bundle\\.)?Export\\b", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: BaselineCheck ROOT MODULE_DIR NEW_JAR COMPILE_CLASSPATH");
            System.exit(2);
        }
        Path root = Path.of(args[0]).toAbsolutePath().normalize();
        Path module = Path.of(args[1]).toAbsolutePath().normalize();
        Path newJar = Path.of(args[2]);
        String compileCp = args[3];
        String commit = readCommit(root.resolve("cnf/baseline/commit"));
        String rel = root.relativize(module).toString().replace(File.separatorChar, '/');
        if (git(root, "cat-file", "-e", commit + "^{commit}") != 0) {
            fail("the baseline commit " + commit + " (cnf/baseline/commit) is not in this clone; fetch it (a shallow"
                + " clone lacks it) or build with -Dvigil.baseline.skip=true");
        }
        Path cache = root.resolve("target/baseline/" + commit);
        Path oldJar = cache.resolve(rel.replace('/', '_') + ".jar");
        long t0 = System.nanoTime();
        if (!Files.isRegularFile(oldJar)) {
            buildBaselineBundle(root, rel, commit, compileCp, cache, oldJar);
        }
        int mismatches = 0;
        try (Processor reporter = new Processor(); Jar newer = new Jar(newJar.toFile()); Jar older = new Jar(oldJar.toFile())) {
            Baseline baseline = new Baseline(reporter, new DiffPluginImpl());
            Set<Baseline.Info> infos = baseline.baseline(newer, older, null);
            List<Baseline.Info> sorted = new ArrayList<>(infos);
            sorted.sort((a, b) -> a.packageName.compareTo(b.packageName));
            for (Baseline.Info info : sorted) {
                String line = String.format("baseline %s: %s %s -> %s (%s, suggested %s)", rel, info.packageName,
                    info.olderVersion, info.newerVersion, info.packageDiff.getDelta(), info.suggestedVersion);
                if (info.mismatch) {
                    mismatches++;
                    System.err.println("ERROR " + line + ": the change needs version " + info.suggestedVersion
                        + " or higher (@Version in " + info.packageName + "'s package-info.java)");
                    for (String change : changes(info.packageDiff, "  ")) {
                        System.err.println(change);
                    }
                } else {
                    System.out.println(line);
                }
            }
            for (String e : reporter.getErrors()) {
                System.err.println("ERROR baseline " + rel + ": " + e);
                mismatches++;
            }
        }
        System.out.printf("baseline %s against %s: %d package(s) need a higher version (%.1f s)%n", rel,
            commit.substring(0, Math.min(12, commit.length())), mismatches, (System.nanoTime() - t0) / 1e9);
        if (mismatches > 0) {
            System.exit(1);
        }
    }

    /** The changed items of a package diff that need a version change (REMOVED/CHANGED/ADDED), indented. */
    private static List<String> changes(Diff diff, String indent) {
        List<String> out = new ArrayList<>();
        for (Diff child : diff.getChildren()) {
            Delta d = child.getDelta();
            if (d == Delta.UNCHANGED || d == Delta.IGNORED) {
                continue;
            }
            if (child.getChildren().isEmpty() || d == Delta.REMOVED || d == Delta.ADDED) {
                out.add(indent + d + " " + child.getType() + " " + child.getName());
            } else {
                out.add(indent + d + " " + child.getType() + " " + child.getName());
                out.addAll(changes(child, indent + "  "));
            }
        }
        return out;
    }

    private static String readCommit(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                if (!l.matches("[0-9a-f]{7,40}")) {
                    fail(file + ": not a commit id: " + l);
                }
                return l;
            }
        }
        fail(file + " names no commit");
        return null;
    }

    /** The module's exported packages at the commit, compiled and wrapped by bnd into a bundle. */
    private static void buildBaselineBundle(Path root, String rel, String commit, String compileCp, Path cache,
                                            Path oldJar) throws Exception {
        Path work = Files.createTempDirectory(Files.createDirectories(cache), rel.replace('/', '_') + "-");
        Path tar = work.resolve("src.tar");
        if (git(root, "archive", "--format=tar", "-o", tar.toString(), commit, "--", rel + "/src/main/java") != 0) {
            fail("git archive of " + rel + "/src/main/java at " + commit + " failed");
        }
        Path src = work.resolve("src");
        Files.createDirectories(src);
        if (run(work, "tar", "-xf", tar.toString(), "-C", src.toString()) != 0) {
            fail("cannot unpack " + tar);
        }
        Path srcRoot = src.resolve(rel + "/src/main/java");
        List<String> exported = new ArrayList<>();
        List<String> files = new ArrayList<>();
        try (Stream<Path> s = Files.walk(srcRoot)) {
            for (Path p : s.filter(p -> p.getFileName().toString().equals("package-info.java")).toList()) {
                String text = Files.readString(p, StandardCharsets.UTF_8);
                Matcher pkg = PACKAGE.matcher(text);
                if (EXPORT.matcher(text).find() && pkg.find()) {
                    exported.add(pkg.group(1));
                    try (Stream<Path> inPkg = Files.list(p.getParent())) {
                        inPkg.filter(f -> f.toString().endsWith(".java")).forEach(f -> files.add(f.toString()));
                    }
                }
            }
        }
        if (exported.isEmpty()) {
            fail(rel + " exported no package at " + commit);
        }
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        List<String> opts = new ArrayList<>(List.of("-d", classes.toString(), "-cp", compileCp, "-sourcepath",
            srcRoot.toString(), "-proc:none", "-nowarn", "-implicit:class", "--release", "17"));
        opts.addAll(files);
        if (javac.run(null, null, System.err, opts.toArray(String[]::new)) != 0) {
            fail("cannot compile " + rel + "'s exported packages at " + commit);
        }
        try (Builder b = new Builder()) {
            b.setProperty("Bundle-SymbolicName", "baseline." + rel.replace('/', '.'));
            b.setProperty("Bundle-Version", "0.0.0." + commit.substring(0, 12));
            b.setProperty("Export-Package", String.join(",", exported));
            b.setProperty("-noimportjava", "true");
            b.addClasspath(classes.toFile());
            for (String e : compileCp.split(File.pathSeparator)) {
                if (!e.isEmpty() && new File(e).exists()) {
                    b.addClasspath(new File(e));
                }
            }
            try (Jar jar = b.build()) {
                if (!b.isOk()) {
                    fail("bnd could not build the baseline bundle of " + rel + ": " + b.getErrors());
                }
                Path tmp = oldJar.resolveSibling(oldJar.getFileName() + ".tmp");
                jar.write(tmp.toFile());
                Files.move(tmp, oldJar, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
        System.out.println("baseline " + rel + ": built the baseline bundle of " + exported + " at " + commit);
    }

    private static int git(Path root, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", root.toString()));
        cmd.addAll(List.of(args));
        return run(root, cmd.toArray(String[]::new));
    }

    private static int run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return p.waitFor();
    }

    private static void fail(String message) {
        System.err.println("ERROR baseline: " + message);
        System.exit(1);
    }
}
