//! `vault add|remove|list|rotate-key`: credentials kept for sign-ins without a person.

use crate::cli::{VaultAddArgs, VaultCommand, VaultPlace, VaultRemoveArgs};
use crate::context;
use crate::exit::Failure;
use crate::input::Input;
use garmin_sso_core::vault::Vault;
use garmin_sso_core::Client;

pub fn run(command: &VaultCommand) -> Result<(), Failure> {
    match command {
        VaultCommand::Add(a) => add(a),
        VaultCommand::Remove(a) => remove(a),
        VaultCommand::List(p) => list(p),
        VaultCommand::RotateKey(p) => rotate(p),
    }
}

fn open(place: &VaultPlace) -> Result<Vault, Failure> {
    Ok(Vault::open(&place.vault, &place.key_file)?)
}

fn add(args: &VaultAddArgs) -> Result<(), Failure> {
    let account = args.account.as_deref().unwrap_or(&args.email);
    // Opened before the password is asked for, so a bad key path fails without a sign-in.
    let vault = open(&args.place)?;
    let store = context::store(&args.store, Some(account))?;
    let client = Client::new(context::config(&args.server)?)?;
    let password = Input::new().password(args.password_stdin)?;
    vault.enroll(account, &client, &store.store, &args.email, &password)?;
    println!(
        "Signed in; credentials of {account} kept in {}",
        vault.path().display()
    );
    Ok(())
}

fn remove(args: &VaultRemoveArgs) -> Result<(), Failure> {
    let vault = open(&args.place)?;
    let store = context::store(&args.store, Some(&args.account))?;
    vault.delete_account(&args.account, &store.store)?;
    println!("Removed {} (credentials and tokens)", args.account);
    Ok(())
}

fn list(place: &VaultPlace) -> Result<(), Failure> {
    for account in open(place)?.accounts()? {
        println!("{account}");
    }
    Ok(())
}

fn rotate(place: &VaultPlace) -> Result<(), Failure> {
    let mut vault = open(place)?;
    vault.rotate_key()?;
    println!("Key rotated; every entry re-encrypted");
    Ok(())
}
