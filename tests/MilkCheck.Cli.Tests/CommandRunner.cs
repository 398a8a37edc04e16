using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace MilkCheck.Cli.Tests;

/// <summary>What one run of the command printed and returned, with clock times and durations made stable.</summary>
public sealed record CommandOutput(string Stdout, string Stderr, int ExitCode);

/// <summary>
/// Runs the BUILT command (out/MilkCheck/bin/milkcheck, as build.ps1 ships it) as a process: no terminal (setsid
/// drops the controlling one, so the width is 80 or $COLUMNS), stdin closed unless the test gives input, an empty
/// milkcheck.conf location unless the test writes one.
/// </summary>
public sealed partial class CommandRunner : IDisposable
{
    public CommandRunner()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("milkcheck-cli-").FullName;
        GlobalConfigurationPath = Path.Combine(Directory, "milkcheck.conf");
        ConfigDir = Path.Combine(Directory, "conf");
        System.IO.Directory.CreateDirectory(ConfigDir);
    }

    public string Directory { get; }

    public string ConfigDir { get; }

    /// <summary>MILKCHECK_CONF of every run: absent until a test writes it.</summary>
    public string GlobalConfigurationPath { get; }

    public static string CommandPath
    {
        get
        {
            string? dir = AppContext.BaseDirectory;
            while (dir is not null && !File.Exists(Path.Combine(dir, "MilkCheck.sln")))
                dir = Path.GetDirectoryName(dir);
            string path = Path.Combine(dir ?? throw new InvalidOperationException("MilkCheck.sln not found above the tests."), "out/MilkCheck/bin/milkcheck");
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} is missing: build first (dotnet pwsh ./build.ps1 -Task Build).");
            return path;
        }
    }

    public void WriteService(string yaml, string file = "services.yaml") => File.WriteAllText(Path.Combine(ConfigDir, file), yaml);

    public void WriteGlobal(string yaml) => File.WriteAllText(GlobalConfigurationPath, yaml);

    public Process Start(IEnumerable<string> args, string? program = null, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add("-w");
        info.ArgumentList.Add(program ?? CommandPath);
        foreach (string arg in args)
            info.ArgumentList.Add(arg);
        info.Environment.Remove("COLUMNS");
        info.Environment["MILKCHECK_CONF"] = GlobalConfigurationPath;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            info.Environment[key] = value;
        return Process.Start(info)!;
    }

    public CommandOutput Run(params string[] args) => Run(args, input: null);

    public CommandOutput Run(IEnumerable<string> args, string? input, string? program = null, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        using Process process = Start(args, program, environment, workingDirectory);
        if (input is not null)
            process.StandardInput.Write(input);
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("The command did not end within 60 s.");
        }
        return new CommandOutput(Stable(stdout.Result), Stable(stderr.Result), process.ExitCode);
    }

    /// <summary>Log clock times become 00:00:00, durations X.XX (spec: timings are never compared literally).</summary>
    public static string Stable(string text) =>
        Durations().Replace(Clock().Replace(text, "[00:00:00]"), m => m.Groups[1].Value + "X.XX" + m.Groups[2].Value);

    [GeneratedRegex(@"^\[\d\d:\d\d:\d\d\]", RegexOptions.Multiline)]
    private static partial Regex Clock();

    [GeneratedRegex(@"( ran in |duration=)\d+\.\d+( s|s)")]
    private static partial Regex Durations();

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
