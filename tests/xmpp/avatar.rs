//! Display pictures between real cores through a real Prosody (XEP-0084 over PEP).

use nudge::command::Command;
use nudge::event::Event;
use nudge::model::{Avatar, BareJid};
use nudge::problem::Problem;
use nudge::xmpp::avatar::{check_png, sha1_hex};
use nudge_testkit::client::Client;
use nudge_testkit::{account, befriend, Prosody};

/// Waits for `jid`'s picture to be reported and returns it (`None`: removed).
async fn picture_of(client: &mut Client, jid: &BareJid, what: &str) -> Option<Avatar> {
    match client
        .wait_for(
            what,
            |e| matches!(e, Event::AvatarChanged { jid: j, .. } if j == jid),
        )
        .await
    {
        Event::AvatarChanged { avatar, .. } => avatar,
        _ => unreachable!("wait_for returns the matching event"),
    }
}

/// Checks two pictures are the same bytes (printing hashes, not bytes, when not).
fn same(a: &Avatar, b: &Avatar) {
    assert!(a == b, "picture {} is not {}", a.sha1, b.sha1);
}

/// A 300×200 PNG photo (wider than tall, so it gets cropped).
fn photo(path: &std::path::Path) {
    let image = image::RgbaImage::from_fn(300, 200, |x, y| {
        image::Rgba([(x % 256) as u8, (y % 256) as u8, 128, 255])
    });
    image.save(path).expect("write the photo");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_reaches_contacts_and_other_devices_survives_a_restart_and_can_be_removed() {
    let server = Prosody::start();
    let mut alice = Client::online(&server, "alice").await;
    let mut bob = Client::online(&server, "bob").await;
    befriend(&mut alice, &mut bob).await;
    let mut alice_phone =
        Client::online_as(&server, alice.jid.as_str(), alice.password.clone(), "phone").await;
    let files = tempfile::tempdir().expect("temp dir");
    let file = files.path().join("holiday.png");
    photo(&file);

    // Alice picks a photo: it is cropped, scaled to 96×96 and published.
    alice.send(Command::SetAvatar {
        path: file.display().to_string(),
    });
    let alice_jid = alice.jid.clone();
    let mine = picture_of(&mut alice, &alice_jid, "alice's own picture")
        .await
        .expect("a picture");
    assert_eq!(check_png(&mine.png), Ok((96, 96)));
    assert_eq!(mine.sha1, sha1_hex(&mine.png));

    // Bob, a contact, gets the very same bytes; so does Alice's other device.
    let seen_by_bob = picture_of(&mut bob, &alice_jid, "alice's picture at bob")
        .await
        .expect("a picture");
    same(&seen_by_bob, &mine);
    let on_phone = picture_of(&mut alice_phone, &alice_jid, "alice's picture on her phone")
        .await
        .expect("a picture");
    same(&on_phone, &mine);

    // Bob restarts Nudge: the picture comes from the cache, before he is even signed in, and
    // cached pictures nobody has any more are cleared away (other files are left alone).
    let cache = bob.profile().avatars_dir();
    let stale = cache.join(format!("{}.png", "0".repeat(40)));
    std::fs::write(&stale, b"an old picture").expect("write");
    std::fs::write(cache.join("notes.txt"), b"not ours").expect("write");
    bob.restart().await;
    let cached = picture_of(&mut bob, &alice_jid, "alice's cached picture")
        .await
        .expect("a picture");
    same(&cached, &mine);
    assert_eq!(bob.state.connection, nudge::model::ConnectionState::Offline);
    assert!(!stale.exists(), "the stale picture was deleted");
    assert!(cache.join("notes.txt").exists());
    assert!(cache.join(format!("{}.png", mine.sha1)).exists());
    bob.send(Command::SignIn {
        account: account(&server, bob.jid.as_str()),
        password: bob.password.as_str().into(),
        remember_password: false,
    });
    bob.wait_online().await;

    // A file that is no picture is refused in words, and the old picture stays.
    let notes = files.path().join("notes.txt");
    std::fs::write(&notes, "not a picture at all").expect("write");
    alice.send(Command::SetAvatar {
        path: notes.display().to_string(),
    });
    let Event::Problem {
        problem: Problem::PictureRefused { detail: message },
    } = alice
        .wait_for("the refusal", |e| {
            matches!(
                e,
                Event::Problem {
                    problem: Problem::PictureRefused { .. }
                }
            )
        })
        .await
    else {
        unreachable!()
    };
    assert!(message.contains("is not a picture"), "{message}");
    same(&alice.state.avatars[&alice_jid], &mine);

    // The next picture Bob sees is the built-in one Alice picks now: nothing came in between.
    alice.send(Command::SetBuiltinAvatar {
        name: "planet".into(),
    });
    let planet = picture_of(&mut alice, &alice_jid, "the planet")
        .await
        .expect("a picture");
    assert!(planet.sha1 != mine.sha1);
    // Signing in again brought the known picture once more; it was not reported twice.
    let seen = picture_of(&mut bob, &alice_jid, "the planet at bob")
        .await
        .expect("a picture");
    same(&seen, &planet);

    // Alice removes her picture: everyone sees it gone.
    alice.send(Command::ClearAvatar);
    assert!(picture_of(&mut alice, &alice_jid, "removed")
        .await
        .is_none());
    assert!(picture_of(&mut bob, &alice_jid, "removed at bob")
        .await
        .is_none());
    assert!(!bob.state.avatars.contains_key(&alice_jid));
    // The phone saw the planet, then the removal.
    same(
        &picture_of(&mut alice_phone, &alice_jid, "the planet on the phone")
            .await
            .expect("a picture"),
        &planet,
    );
    assert!(
        picture_of(&mut alice_phone, &alice_jid, "removed on the phone")
            .await
            .is_none()
    );
}
