using System.Runtime.InteropServices;

namespace MilkCheck.Cli;

/// <summary>
/// What the process is attached to, asked once at start: which standard streams are terminals and how wide the
/// terminal is, by upstream's rule (spec §5.4.1): the size of fd 0, 1 or 2, else of the controlling terminal, else
/// <c>$COLUMNS</c>, else 80.
/// </summary>
/// <param name="IsInteractive">stdin and stdout are both terminals whose foreground process group is ours
/// (upstream's test for its interactive status: not when run in the background with <c>&amp;</c>).</param>
internal sealed record Terminal(bool InputIsTerminal, bool OutputIsTerminal, bool ErrorIsTerminal, int Width, bool IsInteractive = false)
{
    /// <summary>Upstream colours (and draws its running-tasks line) only when stdout and stderr are both terminals.</summary>
    public bool UseColours => OutputIsTerminal && ErrorIsTerminal;

    public static Terminal Detect(Func<string, string?> environment)
    {
        int width = WidthOf(0) ?? WidthOf(1) ?? WidthOf(2) ?? ControllingTerminalWidth()
            ?? (int.TryParse(environment("COLUMNS"), out int columns) && columns > 0 ? columns : 80);
        bool input = IsTerminal(0), output = IsTerminal(1);
        return new Terminal(input, output, IsTerminal(2), width, input && output && IsForeground(0) && IsForeground(1));
    }

    private static bool IsForeground(int fd)
    {
        try
        {
            return tcgetpgrp(fd) == getpgrp();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static bool IsTerminal(int fd)
    {
        try
        {
            return isatty(fd) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static int? WidthOf(int fd)
    {
        try
        {
            return ioctl(fd, TIOCGWINSZ, out WindowSize size) == 0 && size.Columns > 0 ? size.Columns : null;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static int? ControllingTerminalWidth()
    {
        try
        {
            // No terminal on any standard stream (a pipe to less, say): the one the session runs in still has a size.
            using var tty = File.OpenHandle("/dev/tty", FileMode.Open, FileAccess.Read);
            return WidthOf((int)tty.DangerousGetHandle());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private const nuint TIOCGWINSZ = 0x5413; // Linux

    [StructLayout(LayoutKind.Sequential)]
    private struct WindowSize
    {
        public ushort Rows;
        public ushort Columns;
        public ushort XPixels;
        public ushort YPixels;
    }

    [DllImport("libc", EntryPoint = "ioctl")]
    private static extern int ioctl(int fd, nuint request, out WindowSize size);

    [DllImport("libc", EntryPoint = "tcgetpgrp")]
    private static extern int tcgetpgrp(int fd);

    [DllImport("libc", EntryPoint = "getpgrp")]
    private static extern int getpgrp();

    [DllImport("libc", EntryPoint = "isatty")]
    private static extern int isatty(int fd);
}
