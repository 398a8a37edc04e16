# End to end over real SSH: the built module, a real sshd on 127.78.0.[1-8] started here, a HOME of its own.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../out/MilkCheck/MilkCheck.psd1') -Force
    $script:dir = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'sshd')).FullName
    $home_ = Join-Path $dir 'home'
    New-Item -ItemType Directory -Force (Join-Path $home_ '.ssh'), (Join-Path $dir 'session') | Out-Null
    New-Item -ItemType Directory -Force '/run/sshd' | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'host') | Out-Null
    & ssh-keygen -q -t ed25519 -N '' -f (Join-Path $dir 'id') | Out-Null
    Copy-Item (Join-Path $dir 'id.pub') (Join-Path $dir 'authorized_keys')
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Parse('127.78.0.1'), 0); $listener.Start()
    $script:port = $listener.LocalEndpoint.Port; $listener.Stop()
    $user = [Environment]::UserName
    $listen = (1..8 | ForEach-Object { "ListenAddress 127.78.0.$_" }) -join "`n"
    Set-Content (Join-Path $dir 'sshd_config') @"
Port $port
$listen
HostKey $dir/host
AuthorizedKeysFile $dir/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PrintMotd no
MaxStartups 1000
MaxSessions 100
KexAlgorithms curve25519-sha256
SetEnv HOME=$dir/session
"@
    $hostKey = (Get-Content (Join-Path $dir 'host.pub')) -split ' '
    $config = (1..8 | ForEach-Object { "Host node$_`n    HostName 127.78.0.$_" }) -join "`n"
    Set-Content (Join-Path $home_ '.ssh/config') "$config`nHost node*`n    Port $port`n    User $user`n    IdentityFile $dir/id`n    UserKnownHostsFile $home_/.ssh/known_hosts`n"
    Set-Content (Join-Path $home_ '.ssh/known_hosts') ((1..8 | ForEach-Object { "[node$_]:$port $($hostKey[0]) $($hostKey[1])" }) -join "`n")
    $start = [Diagnostics.ProcessStartInfo]::new('/usr/sbin/sshd')
    'D', 'e' | ForEach-Object { $start.ArgumentList.Add("-$_") }
    $start.ArgumentList.Add('-f'); $start.ArgumentList.Add((Join-Path $dir 'sshd_config'))
    $start.RedirectStandardError = $true
    $script:sshd = [Diagnostics.Process]::Start($start)
    $listening = 0
    while ($listening -lt 8) {
        $line = $sshd.StandardError.ReadLine()
        if ($null -eq $line) { throw "sshd did not start: exited $($sshd.ExitCode)" }
        if ($line -like '*Server listening on*') { $listening++ }
    }
    $script:log = [Collections.Concurrent.ConcurrentQueue[string]]::new()
    $script:reader = $sshd.StandardError.ReadToEndAsync()
    $script:savedHome = $env:HOME
    $env:HOME = $home_
    $script:conf = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'conf')).FullName
    Set-Content (Join-Path $conf 'services.yaml') @'
services:
  base:
    target: "node[1-8]"
    actions:
      start: { cmd: "echo $SSH_CONNECTION | cut -d' ' -f3" }
      status: { cmd: "true" }
  app:
    require: [ base ]
    target: "node[1-8]"
    actions:
      start:
        cmd: |
          #!/usr/bin/env python3
          import os
          print("python on", os.environ["SSH_CONNECTION"].split()[2])
  broken:
    target: "node[1-8],deadnode"
    errors: 1
    actions:
      start: { cmd: "true" }
'@
}

AfterAll {
    $env:HOME = $savedHome
    if ($sshd -and -not $sshd.HasExited) { $sshd.Kill($true) }
}

Describe 'Invoke-MilkCheckAction over SSH' {
    It 'runs a dependency chain on eight real SSH nodes, a shebang script included' {
        $r = Invoke-MilkCheckAction start base, app -Path $conf
        ($r | Where-Object Service -eq base).Nodes.Output | Should -Be (1..8 | ForEach-Object { "127.78.0.$_" })
        ($r | Where-Object Service -eq app).Nodes[2].Output | Should -Be 'python on 127.78.0.3'
        $r.Status | Should -Be @('Done', 'Done')
    }

    It 'reports an unknown host as a failed node with its transport status, within the errors tolerance' {
        $r = Invoke-MilkCheckAction start broken -Path $conf -WarningAction SilentlyContinue
        $r.Status | Should -Be 'Warning'
        $r.FailedNodes | Should -Be 'deadnode'
        $dead = $r.Nodes | Where-Object Node -eq deadnode
        $dead.Status | Should -BeIn 'Unreachable', 'AuthenticationFailed', 'HostKeyRejected'
        $dead.ExitCode | Should -BeNullOrEmpty
        $dead.Reason | Should -Not -BeNullOrEmpty
    }
}
