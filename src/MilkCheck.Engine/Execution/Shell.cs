using System.Diagnostics;

namespace MilkCheck.Execution;

/// <summary>How every local command is started: <c>/bin/sh -c</c>, all three streams redirected, stdin closed by the caller.</summary>
internal static class Shell
{
    public const string Path = "/bin/sh";

    public static ProcessStartInfo StartInfo(string command, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        if (workingDirectory is not null)
            start.WorkingDirectory = workingDirectory;
        return start;
    }
}
