//! `shanyrak encode` and `shanyrak link-encoded`: two organisations encode their lists
//! with one agreement key and link the encodings; no name reaches the encodings file.

use super::{shanyrak, uuid_like};

#[tokio::test]
async fn encode_and_link_two_lists_without_names() {
    let dir = std::env::temp_dir().join(format!("shanyrak-encoded-{}", uuid_like()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
    // Organisation A types Cyrillic; organisation B a registry export in Latin.
    std::fs::write(
        path("a.csv"),
        "record_id,surname,given_name,patronymic,sex,birth_date,doc_type,doc_number\n\
         a1,Смирнов,Алексей,Игоревич,м,02.03.1995,passport,4512 345678\n\
         a2,Кузнецова,Анна,Дмитриевна,ж,11.02.1988,passport,4509 111222\n\
         a3,Ахметов,Нурлан,,м,1979-07-30,,\n",
    )
    .expect("write a");
    std::fs::write(
        path("b.csv"),
        "person_id,surname,given_name,patronymic,sex,birth_date,citizenship,documents\n\
         b1,SMIRNOV,ALEKSEI,IGOREVICH,M,1995-03-02,RU,passport:4512345678\n\
         b2,Petrova,Maria,,F,1990-05-05,RU,passport:4000 999888\n\
         b3,Kuznetsova,Anna,Dmitrievna,F,1988-02-11,RU,\n",
    )
    .expect("write b");

    let key = path("agreement.key");
    succeeds(&[
        "encode",
        &path("a.csv"),
        "--key",
        &key,
        "--new-key",
        "--out",
        &path("a.clk"),
    ])
    .await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).expect("key").permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the key file is readable by its owner only"
        );
    }
    // A second --new-key never overwrites the agreement's key.
    let again = shanyrak(
        &[
            "encode",
            &path("a.csv"),
            "--key",
            &key,
            "--new-key",
            "--out",
            &path("x.clk"),
        ],
        "",
    )
    .await;
    assert!(!again.success);
    succeeds(&[
        "encode",
        &path("b.csv"),
        "--key",
        &key,
        "--out",
        &path("b.clk"),
        "--columns",
        "record_id=person_id",
    ])
    .await;

    let encodings = std::fs::read_to_string(path("a.clk")).expect("encodings");
    let mut lines = encodings.lines();
    let header = lines.next().expect("header");
    assert!(
        header.starts_with(
            "#shanyrak-encodings scheme=shanyrak-clk/1 bits=1024 fold=0 balance=1 key="
        ),
        "{header}"
    );
    assert_eq!(lines.next(), Some("id,clk_base64"));
    assert_eq!(lines.count(), 3);
    let secret = std::fs::read_to_string(&key).expect("key");
    for needle in ["Смирнов", "Алексей", "4512", "1995", secret.trim()] {
        assert!(
            !encodings.contains(needle),
            "{needle} in the encodings file"
        );
    }

    succeeds(&[
        "link-encoded",
        &path("a.clk"),
        &path("b.clk"),
        "--threshold",
        "0.8",
        "--out",
        &path("pairs.csv"),
    ])
    .await;
    let pairs = std::fs::read_to_string(path("pairs.csv")).expect("pairs");
    let linked: Vec<(String, String)> = pairs
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert!(f[2].parse::<f64>().expect("similarity") >= 0.8, "{l}");
            (f[0].to_owned(), f[1].to_owned())
        })
        .collect();
    assert_eq!(pairs.lines().next(), Some("id_a,id_b,similarity"));
    assert_eq!(
        linked,
        [("a1".into(), "b1".into()), ("a2".into(), "b3".into())],
        "{pairs}"
    );

    // Encodings made with another key do not link, and say why.
    let other = path("other.key");
    succeeds(&[
        "encode",
        &path("b.csv"),
        "--key",
        &other,
        "--new-key",
        "--out",
        &path("c.clk"),
        "--columns",
        "record_id=person_id",
    ])
    .await;
    let mixed = link_fails(&path("a.clk"), &path("c.clk"), &path("mixed.csv")).await;
    assert!(mixed.contains("different keys"), "{mixed}");

    // A damaged file is refused with its line number, not its content.
    let mut damaged: Vec<String> = encodings.lines().map(str::to_owned).collect();
    damaged[2] = damaged[2].replacen(',', ",!!", 1);
    std::fs::write(path("damaged.clk"), damaged.join("\n")).expect("write");
    let bad = link_fails(&path("damaged.clk"), &path("b.clk"), &path("bad.csv")).await;
    assert!(bad.contains("line 3"), "{bad}");

    // A key file others may read is refused.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let open = shanyrak(
            &[
                "encode",
                &path("a.csv"),
                "--key",
                &key,
                "--out",
                &path("y.clk"),
            ],
            "",
        )
        .await;
        assert!(!open.success);
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Runs `link-encoded A B --out OUT`, which must fail; returns its message.
async fn link_fails(a: &str, b: &str, out: &str) -> String {
    let run = shanyrak(&["link-encoded", a, b, "--out", out], "").await;
    assert!(!run.success, "{a} and {b} linked");
    run.stderr
}

/// Runs the binary with `args`, which must succeed.
async fn succeeds(args: &[&str]) {
    let run = shanyrak(args, "").await;
    assert!(run.success, "{args:?}: {}", run.stderr);
}
