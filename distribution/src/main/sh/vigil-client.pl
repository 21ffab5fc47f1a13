#!/usr/bin/perl
# The vigil admin client, as used by the launcher when perl is present (it starts in a few milliseconds, where
# a JVM needs tens). Same protocol, messages and exit codes as org.vigil.shell.client.VigilClient:
#   vigil-client.pl [--state-dir DIR] COMMAND [ARG...]
# Sends the arguments verbatim (framed: "\x01VIGIL/1\n", "C<len>\n<cwd>", argc, then "<len>\n<bytes>" each) to DIR/vigil.sock
# and copies the answer frames O<len>/E<len> to stdout/stderr until X<status>, which becomes the exit status.
#
# It never hangs: when the node sends nothing for the timeout it says so and exits 124 (CRM_EX_TIMEOUT). The timeout
# is $VIGIL_TIMEOUT seconds (0: none), else 120 s, or the command's own --timeout/-T (-t of 'wait') and 30 s more
# when that is longer; VigilClient.timeoutMs() is the reference.
#
# It loads no module at all (each costs milliseconds): AF_UNIX and SOCK_STREAM are Linux's values, and a
# sockaddr_un is a native 16-bit family followed by the NUL-padded path.

my $dir;
while (@ARGV && $ARGV[0] =~ /^--state-dir(=(.*))?$/) {
    if (defined $1) { $dir = $2; shift @ARGV; }
    elsif (@ARGV >= 2) { $dir = $ARGV[1]; splice(@ARGV, 0, 2); }
    else { print STDERR "vigil: --state-dir needs a directory\n"; exit 2; }
}
if (!@ARGV) {
    print STDERR "usage: vigil [--state-dir DIR] COMMAND [ARG...]   (vigil help lists the commands)\n";
    exit 2;
}
$dir = $ENV{VIGIL_STATE_DIR} if !defined $dir || $dir eq '';
$dir = '/var/lib/vigil' if !defined $dir || $dir eq '';
my $sock = "$dir/vigil.sock";
my $timeout = 120;
if (defined $ENV{VIGIL_TIMEOUT} && $ENV{VIGIL_TIMEOUT} =~ /^\s*(\d+)\s*$/) {
    $timeout = $1 + 0;
} else {
    my %unit = ('ms' => 0.001, 'msec' => 0.001, '' => 1, 's' => 1, 'sec' => 1, 'm' => 60, 'min' => 60, 'h' => 3600,
        'hr' => 3600);
    for my $i (0 .. $#ARGV) {
        my $v;
        if (($ARGV[$i] eq '--timeout' || $ARGV[$i] eq '-T' || ($ARGV[$i] eq '-t' && $ARGV[0] eq 'wait'))
            && $i < $#ARGV) {
            $v = $ARGV[$i + 1];
        } elsif ($ARGV[$i] =~ /^--timeout=(.*)$/) {
            $v = $1;
        }
        next unless defined $v;
        my $s = ($v =~ /^(\d{1,12})\s*([a-zA-Z]*)$/ && exists $unit{lc $2}) ? $1 * $unit{lc $2} : 3600;
        $timeout = $s + 30 if $s + 30 > $timeout;
    }
}
if (!-e $sock) {
    print STDERR "vigil: no node is running with state dir $dir (no admin socket $sock); start one with:"
        . " vigil node -c FILE --state-dir $dir\n";
    exit 1;
}
my ($AF_UNIX, $SOCK_STREAM, $EACCES) = (1, 1, 13);
socket(my $s, $AF_UNIX, $SOCK_STREAM, 0) or die "vigil: socket: $!\n";
if (!connect($s, pack('S Z108', $AF_UNIX, $sock))) {
    if ($! + 0 == $EACCES) {
        print STDERR "vigil: permission denied on $sock (run as the user the node runs as)\n";
    } else {
        print STDERR "vigil: the node at $dir is not answering ($! on $sock); is it running?\n";
    }
    exit 1;
}
# The working directory goes first ("C<len>\n<path>"), so the node resolves relative file names as typed here.
my $cwd = readlink('/proc/self/cwd');
$cwd = $ENV{PWD} if !defined $cwd || $cwd !~ m{^/};
my $req = "\x01VIGIL/1\n";
# A command that reads its standard input (cibadmin or crm_simulate --xml-pipe) gets it sent along
# ("I<len>\n<bytes>").
if (($ARGV[0] eq 'cibadmin' || $ARGV[0] eq 'crm_simulate') && grep { $_ eq '-p' || $_ eq '--xml-pipe' } @ARGV) {
    binmode STDIN;
    local $/;
    my $in = <STDIN>;
    $in = '' unless defined $in;
    $req .= "I" . length($in) . "\n" . $in;
}
$req .= "C" . length($cwd) . "\n" . $cwd if defined $cwd && $cwd =~ m{^/} && length($cwd) <= 4096;
$req .= scalar(@ARGV) . "\n";
for my $a (@ARGV) {
    utf8::encode($a) if utf8::is_utf8($a);
    $req .= length($a) . "\n" . $a;
}
my $off = 0;
while ($off < length $req) {
    my $n = syswrite($s, $req, length($req) - $off, $off);
    die "vigil: write to the node failed: $!\n" unless defined $n;
    $off += $n;
}
binmode STDOUT;
binmode STDERR;
$| = 1;
my $buf = '';
sub fill {
    my $n;
    if ($timeout > 0) {
        my $rin = '';
        vec($rin, fileno($s), 1) = 1;
        my $ready = select(my $rout = $rin, undef, undef, $timeout);
        if ($ready == 0) {
            print STDERR "vigil: no answer from the node at $dir within ${\ int($timeout)} s (it may be hung or"
                . " overloaded); set VIGIL_TIMEOUT=SECONDS to wait longer, 0 for ever\n";
            exit 124;
        }
    }
    $n = sysread($s, my $chunk, 65536);
    return 0 unless $n;
    $buf .= $chunk;
    return 1;
}
while (1) {
    while ($buf !~ /\n/) {
        if (!fill()) {
            print STDERR "vigil: the node closed the connection before the command finished\n";
            exit 1;
        }
    }
    $buf =~ s/^([OEX])(\d+)\n// or do { print STDERR "vigil: malformed answer from the node\n"; exit 1; };
    my ($kind, $n) = ($1, $2);
    exit($n > 255 ? 255 : $n) if $kind eq 'X';
    while (length($buf) < $n) {
        if (!fill()) {
            print STDERR "vigil: the node closed the connection in the middle of its output\n";
            exit 1;
        }
    }
    my $data = substr($buf, 0, $n, '');
    if ($kind eq 'E') { print STDERR $data; } else { print STDOUT $data; }
}
