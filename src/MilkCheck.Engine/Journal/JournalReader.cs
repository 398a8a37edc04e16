using System.Text.Json;
using System.Text.RegularExpressions;

namespace MilkCheck.Journal;

/// <summary>Reads journals back: the runs a folder holds, and the results of one run, typed as they were written.</summary>
internal static partial class JournalReader
{
    [GeneratedRegex(@"^[0-9]{8}-[0-9]{6}-[0-9a-f]{6}$")]
    private static partial Regex RunIdPattern();

    public static bool IsRunId(string text) => RunIdPattern().IsMatch(text);

    /// <summary>The journal file of a run id in a folder.</summary>
    public static string PathOf(string directory, string id) => Path.Combine(directory, id + JournalFormat.Extension);

    /// <summary>Every run recorded in <paramref name="directory"/>, newest first; unreadable files are skipped.</summary>
    public static IEnumerable<RunRecord> List(string directory)
    {
        if (!Directory.Exists(directory))
            yield break;
        IEnumerable<string> files = Directory.EnumerateFiles(directory, "*" + JournalFormat.Extension)
            .Where(f => IsRunId(Path.GetFileNameWithoutExtension(f)))
            .OrderByDescending(f => Path.GetFileName(f), StringComparer.Ordinal);
        foreach (string file in files)
        {
            if (ReadRecord(file) is { } record)
                yield return record;
        }
    }

    /// <summary>The record of one journal; null when its header cannot be read.</summary>
    public static RunRecord? ReadRecord(string file)
    {
        JournalFormat.Header? header = null;
        JournalFormat.End? end = null;
        var results = new List<ActionResult>();
        try
        {
            foreach (var (line, _) in Lines(file))
            {
                switch (Probe(line))
                {
                    case "Header":
                        header ??= JsonSerializer.Deserialize(line, JournalFormat.Json.Header);
                        break;
                    case "Result":
                        if (JsonSerializer.Deserialize(line, JournalFormat.Json.ResultLine)?.Result is { } result)
                            results.Add(result);
                        break;
                    case "End":
                        end = JsonSerializer.Deserialize(line, JournalFormat.Json.End);
                        break;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        catch (JsonException)
        {
            // A damaged line: the record shows what could be read before it.
        }
        if (header is null)
            return null;
        RunSummary summary = RunSummary.FromResults(results);
        return new RunRecord(header.RunId, header.StartTime, end?.EndTime, header.Action, header.Services, header.User,
            header.Host, header.Path, end?.State ?? RunState.Interrupted, end?.Summary.ExitCode ?? summary.ExitCode,
            end?.Summary.Total ?? summary.Total, end?.Summary.Failed ?? summary.Failed, file);
    }

    /// <summary>
    /// The results of one journal in the order written. A damaged line is reported with its number and skipped;
    /// the rest still reads. An interrupted journal gives what it holds.
    /// </summary>
    public static IEnumerable<ActionResult> ReadResults(string file, Action<int, string> damaged)
    {
        foreach (var (line, number) in Lines(file))
        {
            ActionResult? result = null;
            try
            {
                if (Probe(line) == "Result")
                    result = JsonSerializer.Deserialize(line, JournalFormat.Json.ResultLine)?.Result
                        ?? throw new JsonException("the line holds no result");
            }
            catch (JsonException e)
            {
                damaged(number, e.Message);
                continue;
            }
            if (result is not null)
                yield return result;
        }
    }

    private static string? Probe(string line) => JsonSerializer.Deserialize(line, JournalFormat.Json.Probe)?.Type;

    private static IEnumerable<(string Line, int Number)> Lines(string file)
    {
        using var reader = new StreamReader(new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        int number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length > 0)
                yield return (line, number);
        }
    }
}
