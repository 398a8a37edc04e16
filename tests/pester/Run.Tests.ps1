BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
    $module = (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1')
    $script:n = 0
    function New-Config([string] $yaml) {
        $script:n++
        $dir = (New-Item -ItemType Directory -Path (Join-Path $TestDrive "conf$script:n")).FullName
        Set-Content -Path (Join-Path $dir 'services.yaml') -Value $yaml.Replace('%MARK', $TestDrive)
        $dir
    }
    # Runs a command in a fresh pwsh on the built module and returns its text output (host lines included).
    function Invoke-Child([string] $command) {
        $script = "Import-Module '$module'; $command"
        & dotnet pwsh -NoProfile -NonInteractive -Command $script 2>&1 | Out-String
    }
}

Describe 'Invoke-MilkCheckAction on real local and exec commands' {
    It 'runs dependencies before dependents and stop in reverse order' {
        $conf = New-Config @'
services:
  app:
    require: [ db ]
    actions:
      start: { cmd: "echo app >> %MARK/order" }
      stop: { cmd: "echo app >> %MARK/stoporder" }
  db:
    actions:
      start: { cmd: "echo db >> %MARK/order" }
      stop: { cmd: "echo db >> %MARK/stoporder" }
'@
        $r = Invoke-MilkCheckAction start -Path $conf
        $r.Service | Should -Be @('db', 'app')
        Get-Content (Join-Path $TestDrive 'order') | Should -Be @('db', 'app')
        $s = Invoke-MilkCheckAction stop -Path $conf
        $s.Service | Should -Be @('app', 'db')
        Get-Content (Join-Path $TestDrive 'stoporder') | Should -Be @('app', 'db')
    }

    It 'kills a timed-out command and its children' {
        $marker = "milkcheck-timeout-$([guid]::NewGuid().ToString('N'))"
        $conf = New-Config @"
services:
  slow:
    timeout: 0.5
    actions:
      start: { cmd: "sh -c 'sleep 30; echo $marker' & sleep 30" }
"@
        $r = Invoke-MilkCheckAction start -Path $conf -ErrorAction SilentlyContinue -ErrorVariable errs
        $r.Status | Should -Be 'Timeout'
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'MilkCheck.ActionTimedOut,*'
        (& pgrep -f $marker) | Should -BeNullOrEmpty
    }

    It 'stops promptly when the pipeline is stopped, keeps the first result and leaves no process behind' {
        $marker = "milkcheck-stop-$([guid]::NewGuid().ToString('N'))"
        $conf = New-Config @"
services:
  quick: { actions: { start: { cmd: "true" } } }
  slow: { actions: { start: { cmd: "sleep 60; echo $marker" } } }
"@
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $first = Invoke-MilkCheckAction start -Path $conf | Select-Object -First 1
        $watch.Stop()
        $first.Service | Should -Be 'quick'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 30
        (& pgrep -f $marker) | Should -BeNullOrEmpty
    }

    It 'retries the whole target and counts attempts' {
        $conf = New-Config @'
services:
  flaky:
    retry: 2
    actions:
      start: { cmd: "echo x >> %MARK/attempts; [ $(wc -l < %MARK/attempts) -ge 2 ]" }
'@
        $r = Invoke-MilkCheckAction start -Path $conf
        $r.Status | Should -Be 'Done'
        $r.Attempts | Should -Be 2
    }

    It 'applies errors and warnings thresholds over exec-mode nodes' {
        $conf = New-Config @'
services:
  e:
    target: "n[1-4]"
    mode: exec
    errors: 1
    actions:
      start: { cmd: "test %%h != n3" }
'@
        $r = Invoke-MilkCheckAction start -Path $conf -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Warning'
        $r.FailedNodes | Should -Be 'n3'
        ($r.Nodes | Where-Object Status -eq Failed).Node | Should -Be 'n3'
    }

    It 'restricts targets with -Node and -ExcludeNode and skips what is left empty' {
        $conf = New-Config @'
services:
  compute: { target: "n[1-4]", mode: exec, actions: { start: { cmd: "echo %%h" } } }
  io: { target: "io1", mode: exec, actions: { start: { cmd: "echo %%h" } } }
'@
        $r = Invoke-MilkCheckAction start -Path $conf -Node 'n[1-3]' -ExcludeNode n2 -WarningAction SilentlyContinue
        ($r | Where-Object Service -eq compute).Nodes.Node | Should -Be @('n1', 'n3')
        ($r | Where-Object Service -eq io).Status | Should -Be 'Skipped'
    }

    It 'runs only tagged entities with -Tag and locks -ExcludeService' {
        $conf = New-Config @'
services:
  a: { tags: [ x ], actions: { start: { cmd: "true" } } }
  b: { tags: [ y ], actions: { start: { cmd: "true" } } }
  c: { tags: [ x ], actions: { start: { cmd: "true" } } }
'@
        $r = Invoke-MilkCheckAction start -Path $conf -Tag x -ExcludeService c
        ($r | Where-Object Service -eq a).Status | Should -Be 'Done'
        ($r | Where-Object Service -eq b).Status | Should -Be 'Skipped'
        ($r | Where-Object Service -eq c).Status | Should -Be 'Locked'
    }

    It 'runs nothing under -WhatIf and says what it would run, one line per action in run order' {
        $conf = New-Config @'
services:
  app: { require: [ db ], actions: { start: { cmd: "touch %MARK/whatif-app" } } }
  db: { target: "n[1-2]", mode: exec, actions: { start: { cmd: "touch %MARK/whatif-db" } } }
'@
        $text = Invoke-Child "Invoke-MilkCheckAction start -Path '$conf' -WhatIf"
        $lines = $text -split "`n" | Where-Object { $_ -like 'What if:*' }
        $lines.Count | Should -Be 2
        $lines[0] | Should -BeLike "*'start' of 'db' on n``[1-2``]: touch*"
        $lines[1] | Should -BeLike "*'start' of 'app' on localhost: touch*"
        Test-Path (Join-Path $TestDrive 'whatif-app') | Should -BeFalse
        Test-Path (Join-Path $TestDrive 'whatif-db') | Should -BeFalse
    }

    It 'reruns just the failed services on their failed nodes from piped results' {
        $conf = New-Config @'
services:
  web: { target: "n[1-3]", mode: exec, actions: { start: { cmd: "test %%h != n2 -o -e %MARK/fixed" } } }
  db: { target: "n[1-3]", mode: exec, actions: { start: { cmd: "true" } } }
'@
        $r = Invoke-MilkCheckAction start -Path $conf -ErrorAction SilentlyContinue
        ($r | Where-Object Status -ne Done).Service | Should -Be 'web'
        New-Item (Join-Path $TestDrive 'fixed') | Out-Null
        $again = $r | Where-Object Status -ne Done | Invoke-MilkCheckAction start -Path $conf
        $again.Service | Should -Be 'web'
        $again.Nodes.Node | Should -Be 'n2'
        $again.Status | Should -Be 'Done'
    }

    It 'gives upstream exit codes 0, 3 and 6 through Measure-MilkCheckResult' {
        $ok = New-Config "services:`n  a: { actions: { start: { cmd: 'true' } } }`n"
        $warn = New-Config "services:`n  a: { require: [ b ], actions: { start: { cmd: 'true' } } }`n  b: { errors: 1, actions: { start: { cmd: 'false' } } }`n"
        $fail = New-Config "services:`n  a: { require: [ b ], actions: { start: { cmd: 'true' } } }`n  b: { actions: { start: { cmd: 'false' } } }`n"
        (Invoke-MilkCheckAction start -Path $ok | Measure-MilkCheckResult).ExitCode | Should -Be 0
        (Invoke-MilkCheckAction start -Path $warn -WarningAction SilentlyContinue | Measure-MilkCheckResult).ExitCode | Should -Be 3
        (Invoke-MilkCheckAction start -Path $fail -ErrorAction SilentlyContinue | Measure-MilkCheckResult).ExitCode | Should -Be 6
    }

    It 'writes the SUMMARY block with -Summary and asks confirm_actions unless -Force' {
        $conf = New-Config "services:`n  a: { actions: { start: { cmd: 'true' } } }`n  b: { desc: the b, actions: { start: { cmd: 'false' } } }`n"
        $global = Join-Path $TestDrive 'milkcheck.conf'
        Set-Content $global "confirm_actions: [ start ]`n"
        $text = Invoke-Child "`$env:MILKCHECK_CONF = '$global'; Invoke-MilkCheckAction start -Path '$conf' -Force -Summary -ErrorAction SilentlyContinue | Out-Null"
        $text | Should -BeLike '*SUMMARY - 2 actions (1 failed)*'
        $text | Should -BeLike '* + b.start - the b*'
        $refused = Invoke-Child "`$env:MILKCHECK_CONF = '$global'; try { Invoke-MilkCheckAction start -Path '$conf' } catch { `$_.FullyQualifiedErrorId }"
        $refused | Should -BeLike '*MilkCheck.ConfirmationUnavailable*'
    }

    It 'stops before anything runs on an unknown service' {
        $conf = New-Config "services:`n  a: { actions: { start: { cmd: 'touch %MARK/unknown-a' } } }`n"
        { Invoke-MilkCheckAction start nope -Path $conf } | Should -Throw -ErrorId 'MilkCheck.UnknownService,*'
        Test-Path (Join-Path $TestDrive 'unknown-a') | Should -BeFalse
    }
}
