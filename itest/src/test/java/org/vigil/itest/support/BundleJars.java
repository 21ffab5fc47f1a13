package org.vigil.itest.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Builds bundle jars for upgrade tests: a plug-in from test classes, a copy of a bundle with a new version, or a
 * copy with some classes replaced (a build whose code differs).
 */
public final class BundleJars {

    private BundleJars() {
    }

    /**
     * A copy of {@code jar} whose {@code Bundle-Version} is {@code version}: the same code as a new release, as an
     * administrator would receive it.
     */
    public static Path withVersion(Path jar, String version, Path out) throws IOException {
        return withHeaders(jar, out, "Bundle-Version", version);
    }

    /**
     * A new build of the plug-in bundle {@code jar} whose code really differs from it: version {@code version},
     * plus {@link UpgradeMarker} as its {@code Bundle-Activator}, which writes {@code token} to cmap key
     * {@link UpgradeMarker#key key(bsn)} when the bundle starts and deletes it when it stops. An upgrade test
     * asserts the key after the swap to show the new bundle's code is what runs. The bundle must not have an
     * activator of its own (Vigil's plug-ins use Declarative Services).
     */
    public static Path newBuild(Path jar, String version, String token, Path out) throws IOException {
        String imports;
        try (JarFile in = new JarFile(jar.toFile())) {
            Attributes a = in.getManifest().getMainAttributes();
            if (a.getValue("Bundle-Activator") != null) {
                throw new IOException(jar + " has an activator of its own: " + a.getValue("Bundle-Activator"));
            }
            imports = a.getValue("Import-Package");
        }
        StringBuilder importing = new StringBuilder(imports == null ? "" : imports);
        for (String[] pkg : new String[][] {{"org.osgi.framework", "[1.8,2)"}, {"org.vigil.kernel.api", "[1.0,2)"}}) {
            if (!importsPackage(imports, pkg[0])) {
                importing.append(importing.length() == 0 ? "" : ",").append(pkg[0]).append(";version=\"")
                    .append(pkg[1]).append('"');
            }
        }
        String marker = UpgradeMarker.class.getName();
        Path classesDir = Path.of(System.getProperty("vigil.testClasses", "target/test-classes"));
        String entry = marker.replace('.', '/') + ".class";
        return withEntries(jar, out, Map.of(entry, Files.readAllBytes(classesDir.resolve(entry))),
            "Bundle-Version", version, "Bundle-Activator", marker, UpgradeMarker.HEADER, token,
            "Import-Package", importing.toString());
    }

    /** True when the {@code Import-Package} value {@code imports} names {@code pkg}. */
    private static boolean importsPackage(String imports, String pkg) {
        return imports != null && java.util.regex.Pattern.compile("(^|,)" + java.util.regex.Pattern.quote(pkg) + "[;,]")
            .matcher(imports + ",").find();
    }

    /** A copy of {@code jar} with manifest headers set or replaced (name, value pairs). */
    public static Path withHeaders(Path jar, Path out, String... headers) throws IOException {
        return withEntries(jar, out, Map.of(), headers);
    }

    /**
     * A copy of {@code jar} with entries replaced or added ({@code replace}: entry name to content) and manifest
     * headers set or replaced (name, value pairs): a new build of a bundle whose code differs.
     */
    public static Path withEntries(Path jar, Path out, Map<String, byte[]> replace, String... headers)
        throws IOException {
        try (JarFile in = new JarFile(jar.toFile())) {
            Manifest mf = new Manifest(in.getManifest());
            for (int i = 0; i < headers.length; i += 2) {
                mf.getMainAttributes().putValue(headers[i], headers[i + 1]);
            }
            try (JarOutputStream jos = new JarOutputStream(Files.newOutputStream(out), mf)) {
                for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements(); ) {
                    JarEntry entry = e.nextElement();
                    if (entry.getName().equals("META-INF/MANIFEST.MF")) {
                        continue;
                    }
                    jos.putNextEntry(new JarEntry(entry.getName()));
                    byte[] replacement = replace.get(entry.getName());
                    if (replacement != null) {
                        jos.write(replacement);
                    } else {
                        try (InputStream is = in.getInputStream(entry)) {
                            is.transferTo(jos);
                        }
                    }
                    jos.closeEntry();
                }
                for (Map.Entry<String, byte[]> e : replace.entrySet()) {
                    if (in.getJarEntry(e.getKey()) == null) {
                        jos.putNextEntry(new JarEntry(e.getKey()));
                        jos.write(e.getValue());
                        jos.closeEntry();
                    }
                }
            }
        }
        return out;
    }

    /**
     * A bundle made of compiled test classes, with the given manifest headers and extra text files
     * (e.g. a DS component XML).
     *
     * @param classes   class names to copy from {@code vigil.testClasses}
     * @param headers   manifest headers as name, value pairs
     * @param resources extra entries as path, content pairs
     */
    public static Path bundle(Path out, String[] classes, String[] headers, String... resources) throws IOException {
        Manifest mf = new Manifest();
        Attributes a = mf.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        for (int i = 0; i < headers.length; i += 2) {
            a.putValue(headers[i], headers[i + 1]);
        }
        Path classesDir = Path.of(System.getProperty("vigil.testClasses", "target/test-classes"));
        try (OutputStream os = Files.newOutputStream(out); JarOutputStream jos = new JarOutputStream(os, mf)) {
            for (String c : classes) {
                String path = c.replace('.', '/') + ".class";
                jos.putNextEntry(new JarEntry(path));
                Files.copy(classesDir.resolve(path), jos);
                jos.closeEntry();
            }
            for (int i = 0; i < resources.length; i += 2) {
                jos.putNextEntry(new JarEntry(resources[i]));
                jos.write(resources[i + 1].getBytes(StandardCharsets.UTF_8));
                jos.closeEntry();
            }
        }
        return out;
    }
}
