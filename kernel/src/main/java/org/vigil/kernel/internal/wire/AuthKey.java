package org.vigil.kernel.internal.wire;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;

/**
 * The shared cluster key: {@code vigil keygen} writes it, nodes read it. Like corosync's authkey it is 128 to
 * 4096 random bytes (256 by default), readable by its owner only (mode 0400).
 */
public final class AuthKey {

    public static final int MIN = 128;
    public static final int MAX = 4096;
    public static final int DEFAULT = 256;

    private AuthKey() {
    }

    /**
     * The key file a node uses: {@code totem.keyfile} when the configuration names one, else
     * {@code <state dir>/authkey} when it exists (what {@code vigil keygen --state-dir} writes), else
     * {@code /etc/vigil/authkey}.
     */
    public static Path keyFile(org.vigil.kernel.config.VigilConfig cfg, Path stateDir) {
        if (cfg.raw("totem.keyfile").isPresent()) {
            return Path.of(cfg.totem().keyfile());
        }
        Path local = stateDir.resolve("authkey");
        return Files.exists(local) ? local : Path.of(cfg.totem().keyfile());
    }

    /**
     * Reads a key file.
     *
     * @throws IOException naming the file and what is wrong (missing, unreadable, wrong size)
     */
    public static byte[] load(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new IOException(file + ": no such key file (create one with: vigil keygen)");
        }
        long size = Files.size(file);
        if (size < MIN || size > MAX) {
            throw new IOException(file + ": a key must be " + MIN + " to " + MAX + " bytes, this one is " + size);
        }
        return Files.readAllBytes(file);
    }

    /** Writes {@code size} random bytes to {@code file} with mode 0400; refuses to replace a key unless forced. */
    public static void generate(Path file, int size, boolean force) throws IOException {
        if (size < MIN || size > MAX) {
            throw new IOException("key size must be " + MIN + " to " + MAX + " bytes, not " + size);
        }
        byte[] key = new byte[size];
        new SecureRandom().nextBytes(key);   // NativePRNG: /dev/urandom, never blocks once seeded
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".authkey", ".tmp",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.write(tmp, key, StandardOpenOption.TRUNCATE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("r--------"));
            if (!force && Files.exists(file)) {
                throw new FileAlreadyExistsException(file + " exists: replacing the key of a running cluster "
                    + "locks out every node that still has the old one (use --force to replace it anyway)");
            }
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** {@code vigil keygen [-k FILE | --state-dir DIR] [-s BYTES] [--force]}. */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        Path file = Path.of("/etc/vigil/authkey");
        int size = DEFAULT;
        boolean force = false;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "-k" -> file = Path.of(args[++i]);
                    case "--state-dir" -> file = Path.of(args[++i], "authkey");
                    case "-s" -> size = Integer.parseInt(args[++i]);
                    case "--force", "-f" -> force = true;
                    default -> {
                        err.println("usage: vigil keygen [-k FILE | --state-dir DIR] [-s BYTES] [--force]");
                        return 2;
                    }
                }
            }
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            err.println("usage: vigil keygen [-k FILE | --state-dir DIR] [-s BYTES] [--force]");
            return 2;
        }
        try {
            generate(file, size, force);
            out.println("Writing vigil key to " + file + " (" + size + " bytes, mode 0400).");
            return 0;
        } catch (IOException e) {
            err.println("vigil keygen: " + e.getMessage());
            return 1;
        }
    }
}
