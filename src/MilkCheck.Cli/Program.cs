using System.Runtime.InteropServices;
using System.Text;
using MilkCheck.Cli;

// Ctrl-C (to the whole process group, as a terminal sends it) and SIGTERM stop the run: the engine kills what it
// started, then the command says so and exits 130. A second one while that happens (or while something that cannot
// be stopped runs, such as a %(...) of the configuration) ends the process at once, as the signal does by default.
using var interrupt = new CancellationTokenSource();
void Stop(PosixSignalContext context)
{
    if (interrupt.IsCancellationRequested)
        return;
    context.Cancel = true;
    interrupt.Cancel();
}
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

// The standard descriptors as plain files: System.Console would set the terminal up on first use (keypad mode,
// its own line editing of stdin), which upstream never does and which would show in its text.
var encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);
using var output = new StreamWriter(new ClosedReaderTolerantStream(Descriptor(1, FileAccess.Write)), encoding) { NewLine = "\n" };
using var error = new StreamWriter(new ClosedReaderTolerantStream(Descriptor(2, FileAccess.Write)), encoding) { NewLine = "\n" };
using var input = new StreamReader(Descriptor(0, FileAccess.Read), encoding);
var console = new CliConsole(output, error, input, Terminal.Detect(Environment.GetEnvironmentVariable),
    Environment.GetEnvironmentVariable, () => DateTime.Now);
return await new CliApplication(console).RunAsync(ProgramName(), args, interrupt.Token).ConfigureAwait(false);

// A standard descriptor the command was started without (cron's `<&-`, `>&-`) is not ours to use: the runtime may
// have reused its number for a pipe of its own before Main, and reading or writing that would hang or corrupt the
// runtime. Such a descriptor was opened by this process, so it is close-on-exec, which an inherited one never is.
static Stream Descriptor(int fd, FileAccess access)
{
    if (!IsInherited(fd))
        return Stream.Null;
    try
    {
        return new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(fd, ownsHandle: false), access, bufferSize: 0);
    }
    catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
    {
        // A closed descriptor (cron may start us without one): nothing to read, writes go nowhere.
        return Stream.Null;
    }
}

static bool IsInherited(int fd)
{
    try
    {
        foreach (string line in File.ReadLines($"/proc/self/fdinfo/{fd}"))
        {
            if (line.StartsWith("flags:", StringComparison.Ordinal))
                return (Convert.ToInt32(line[6..].Trim(), 8) & 0x80000) == 0; // O_CLOEXEC (02000000 octal)
        }
        return true;
    }
    catch (IOException)
    {
        return false; // no such descriptor: closed
    }
    catch (UnauthorizedAccessException)
    {
        return true; // no /proc to ask: take it as given
    }
}

// argv[0] as typed, so that a link named check_milkcheck is seen as such (the process path resolves links).
static string ProgramName()
{
    try
    {
        byte[] commandLine = File.ReadAllBytes("/proc/self/cmdline");
        int end = Array.IndexOf(commandLine, (byte)0);
        string first = Encoding.UTF8.GetString(commandLine, 0, end < 0 ? commandLine.Length : end);
        if (first.Length > 0)
            return Path.GetFileName(first);
    }
    catch (IOException)
    {
    }
    catch (UnauthorizedAccessException)
    {
    }
    return "milkcheck";
}
